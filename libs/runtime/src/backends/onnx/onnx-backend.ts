import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { artifactOf, type ModelConfig } from '../../config/schema.js';
import type { OnnxOptions } from './descriptor.js';
import { ServingError } from '../../errors.js';
import type { NamedTensors, Signature } from '../../tensor/tensor.js';
import type { Backend, BackendLoadOptions } from '../backend.js';
import { defaultHosts, SMALL_MODEL_BYTES } from './pool-size.js';
import { sharedWorkerPool } from './shared-pool.js';
import type { HostedVersion, WorkerEvent } from './worker-pool.js';

/**
 * The model on the main thread: no hand-off cost, but a run blocks the event loop while it
 * lasts. A large request of a model with independent rows reaches it in runs of a few
 * thousand rows (batching/split-rows.ts), and onnxruntime-node starts each run from
 * setImmediate, so the loop turns between them.
 */
async function loadInline(modelPath: string, intraOpThreads: number): Promise<Backend> {
  // Imported here: onnxruntime-node on the main thread is only needed inline (~2 MB idle in pool mode).
  const [{ createSession }, { runSession, signatureOf }] = await Promise.all([import('./create-session.js'), import('./ort-convert.js')]);
  const session = await createSession(modelPath, intraOpThreads);
  return {
    signature: signatureOf(session),
    async run(inputs: NamedTensors, outputs?: readonly string[]) {
      try {
        return await runSession(session, inputs, outputs);
      } catch (err) {
        throw new ServingError('INVALID_ARGUMENT', `the model refused the input: ${(err as Error).message}`);
      }
    },
    describe: () => ({ inline: true }),
    close: () => session.release(),
  };
}

type Execution = 'interpreter' | 'inline' | 'pool';

/** What `auto` means for this model: see the `execution` option (descriptor.ts). */
async function chosenExecution(modelPath: string, config: ModelConfig, onnx: OnnxOptions): Promise<Execution> {
  if (onnx.execution !== 'auto') return onnx.execution;
  // Asking for a number of workers is asking for the pool.
  if (!config.batching || onnx.workers !== undefined) return 'pool';
  return (await stat(modelPath)).size < SMALL_MODEL_BYTES ? 'interpreter' : 'pool';
}

/**
 * The graph in the interpreter when it implements every part of it; asked for explicitly,
 * a graph it cannot run is a load error that says what; under `auto`, onnxruntime inline.
 */
async function loadInterpreted(modelPath: string, onnx: OnnxOptions, options: BackendLoadOptions): Promise<Backend> {
  const { compileOnnxFile, interpreterBackend } = await import('./interpreter/interpreter-backend.js');
  const explicit = onnx.execution === 'interpreter';
  let compiled;
  try {
    compiled = await compileOnnxFile(modelPath);
  } catch (err) {
    // Unreadable as ONNX: under auto, onnxruntime's load reports it in its own words.
    if (explicit) throw new Error(`${modelPath} is not a readable ONNX model: ${(err as Error).message}`);
    return loadInline(modelPath, onnx.intraOpThreads);
  }
  if ('graph' in compiled) return interpreterBackend(compiled.graph);
  if (explicit) throw new Error(`onnx.execution "interpreter" cannot run this model: it uses ${compiled.unsupported}`);
  options.logger?.info({ reason: compiled.unsupported }, 'model runs on onnxruntime inline: the interpreter does not implement all of it');
  return loadInline(modelPath, onnx.intraOpThreads);
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
  const execution = await chosenExecution(modelPath, config, onnx);
  if (execution === 'pool') return loadPooled(modelPath, onnx, options);
  if (execution === 'interpreter') return loadInterpreted(modelPath, onnx, options);
  return loadInline(modelPath, onnx.intraOpThreads);
}
