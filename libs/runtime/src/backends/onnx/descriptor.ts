import { z } from 'zod';
import { defineBackend } from '../descriptor.js';

export const onnxOptions = z.strictObject({
  /**
   * `pool` runs sessions in worker threads (the event loop stays free); `inline` runs an
   * onnxruntime session on the main thread (no hand-off, no worker's memory), which pays for
   * small models; `interpreter` runs the graph in modelyard's own ONNX interpreter on the
   * main thread (no native call, onnxruntime not even loaded), for graphs of the operators it
   * implements (backends/onnx/interpreter/ops/registry.ts: scikit-learn's pipelines ending in
   * a linear model or a forest, small dense networks). `auto` (the default) picks, for a
   * model file under 1 MiB whose rows are independent (batching is configured, so a large
   * request runs a slice of rows at a time: batching/split-rows.ts), the interpreter when it
   * implements the whole graph, else inline; any other model goes to the pool.
   */
  execution: z.enum(['auto', 'pool', 'inline', 'interpreter']).default('auto'),
  /**
   * On how many of the process's shared worker threads (ONNX_WORKERS) this model has a
   * session: also the most runs of it that execute at once. Default: one for a model file
   * under 1 MiB, else every thread; capped at the pool's size. See backends/onnx/pool-size.ts.
   */
  workers: z.number().int().positive().optional(),
  /** Threads inside one session run. */
  intraOpThreads: z.number().int().positive().default(1),
});
export type OnnxOptions = z.infer<typeof onnxOptions>;

/** onnxruntime-node in process, on a pool of worker threads: the default backend. */
export const onnxBackend = defineBackend({
  kind: 'onnx',
  defaultArtifact: 'model.onnx',
  platform: 'onnxruntime_onnx',
  options: onnxOptions,
  load: async ({ load, config, options }) => (await import('./onnx-backend.js')).loadOnnxBackend(load, config, options),
  image: { packages: ['onnxruntime-node'], inProcess: true },
});
