import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { artifactOf, type ModelConfig } from '../../config/schema.js';
import type { OnnxOptions } from './descriptor.js';
import { ServingError } from '../../errors.js';
import type { NamedTensors, Signature } from '../../tensor/tensor.js';
import type { Backend, BackendLoadOptions } from '../backend.js';
import { createSession } from './create-session.js';
import { runSession, signatureOf } from './ort-convert.js';
import { defaultHosts, SMALL_MODEL_BYTES } from './pool-size.js';
import { concatRows, rowsOf, sliceRows } from '../../tensor/rows.js';
import { sharedWorkerPool } from './shared-pool.js';
import type { HostedVersion, WorkerEvent } from './worker-pool.js';

/**
 * Rows of one inline run. A larger request of a model with independent rows runs a slice at
 * a time; onnxruntime-node starts each run from setImmediate, so the event loop turns between
 * slices and one 10 MB request holds it for one slice (a few ms), not for the whole request.
 */
export const INLINE_SLICE_ROWS = 4096;

/**
 * The model on the main thread: no hand-off cost, but a run blocks the event loop while it
 * lasts. `sliceRows` (rows independent) cuts large requests into runs of that many rows.
 */
async function loadInline(modelPath: string, intraOpThreads: number, sliceRows: number | undefined): Promise<Backend> {
  const session = await createSession(modelPath, intraOpThreads);
  const runOnce = async (inputs: NamedTensors, outputs?: readonly string[]) => {
    try {
      return await runSession(session, inputs, outputs);
    } catch (err) {
      throw new ServingError('INVALID_ARGUMENT', `the model refused the input: ${(err as Error).message}`);
    }
  };
  return {
    signature: signatureOf(session),
    async run(inputs: NamedTensors, outputs?: readonly string[]) {
      const rows = rowsOf(inputs);
      if (sliceRows === undefined || rows === undefined || rows <= sliceRows) return runOnce(inputs, outputs);
      return runInSlices(runOnce, inputs, rows, sliceRows, outputs);
    },
    describe: () => ({ inline: { sliceRows: sliceRows ?? null } }),
    close: () => session.release(),
  };
}

type Run = (inputs: NamedTensors, outputs?: readonly string[]) => Promise<NamedTensors>;

/** One request as runs of `slice` rows, its outputs stacked back; whole if an output is not per row. */
async function runInSlices(run: Run, inputs: NamedTensors, rows: number, slice: number, outputs?: readonly string[]): Promise<NamedTensors> {
  const parts: NamedTensors[] = [];
  for (let from = 0; from < rows; from += slice) {
    const to = Math.min(from + slice, rows);
    const part: NamedTensors = {};
    for (const name in inputs) part[name] = sliceRows(inputs[name]!, from, to);
    const result = await run(part, outputs);
    // An output without one row per input row (a summary over the batch) cannot be stacked:
    // such a model's rows are not independent after all, so it gets the whole request at once.
    for (const name in result) if (result[name]!.shape[0] !== to - from) return run(inputs, outputs);
    parts.push(result);
  }
  const stacked: NamedTensors = {};
  for (const name in parts[0]!) stacked[name] = concatRows(parts.map((p) => p[name]!));
  return stacked;
}

/** What `auto` means for this model: see the `execution` option (descriptor.ts). */
async function chosenExecution(modelPath: string, config: ModelConfig, onnx: OnnxOptions): Promise<'inline' | 'pool'> {
  if (onnx.execution !== 'auto') return onnx.execution;
  // Asking for a number of workers is asking for the pool.
  if (!config.batching || onnx.workers !== undefined) return 'pool';
  return (await stat(modelPath)).size < SMALL_MODEL_BYTES ? 'inline' : 'pool';
}

/**
 * The model's sessions in the process-wide worker pool. `onnx.workers` says on how many of
 * the pool's threads it has a session, which is also how many of its runs can execute at
 * once; left open, a small model gets one and a large one every thread.
 */
async function loadPooled(modelPath: string, config: OnnxOptions, options: BackendLoadOptions): Promise<Backend & { hosted: HostedVersion }> {
  const log = options.logger;
  const onWorkerEvent = (event: WorkerEvent) => {
    options.onWorkerEvent?.(event.kind);
    if (event.kind === 'exited') log?.warn({ code: event.code, alive: event.alive }, 'inference worker exited; starting a replacement');
    else if (event.kind === 'replaced') log?.info({ alive: event.alive }, 'inference worker replaced');
    else log?.error({ error: event.error, alive: event.alive, retryInMs: event.retryInMs }, 'inference worker could not be restarted; retrying');
  };
  const pool = sharedWorkerPool();
  const hosts = config.workers ?? defaultHosts((await stat(modelPath)).size, pool.size);
  const hosted = await pool.host({ modelPath, hosts, intraOpThreads: config.intraOpThreads, onWorkerEvent });
  const signature: Signature = hosted.signature;
  return {
    signature,
    hosted,
    run: (inputs, outputs) => hosted.run(inputs, outputs),
    describe: () => ({ workers: hosted.occupancy() }),
    ready: () => hosted.ready(),
    unavailableReason: () => hosted.unavailableReason(),
    close: () => hosted.close(),
  };
}

export async function loadOnnxBackend(options: BackendLoadOptions, config: ModelConfig, onnx: OnnxOptions): Promise<Backend> {
  const modelPath = join(options.versionDir, artifactOf(config));
  if ((await chosenExecution(modelPath, config, onnx)) === 'pool') return loadPooled(modelPath, onnx, options);
  // Rows are independent when the model is batched: then a large request may be cut into slices.
  return loadInline(modelPath, onnx.intraOpThreads, config.batching ? INLINE_SLICE_ROWS : undefined);
}
