import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { artifactOf, type ModelConfig } from '../../config/schema.js';
import type { OnnxOptions } from './descriptor.js';
import { ServingError } from '../../errors.js';
import type { NamedTensors, Signature } from '../../tensor/tensor.js';
import type { Backend, BackendLoadOptions } from '../backend.js';
import { createSession } from './create-session.js';
import { runSession, signatureOf } from './ort-convert.js';
import { defaultHosts } from './pool-size.js';
import { sharedWorkerPool } from './shared-pool.js';
import type { HostedVersion, WorkerEvent } from './worker-pool.js';

/** The model on the main thread: no hand-off cost, but a long run blocks the event loop. */
async function loadInline(modelPath: string, intraOpThreads: number): Promise<Backend> {
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
    close: () => session.release(),
  };
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

export function loadOnnxBackend(options: BackendLoadOptions, config: ModelConfig, onnx: OnnxOptions): Promise<Backend> {
  const modelPath = join(options.versionDir, artifactOf(config));
  return onnx.execution === 'inline' ? loadInline(modelPath, onnx.intraOpThreads) : loadPooled(modelPath, onnx, options);
}
