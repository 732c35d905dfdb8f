import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readServerEnv } from '../../config/env.js';
import { artifactOf, type ModelConfig } from '../../config/schema.js';
import { ServingError } from '../../errors.js';
import type { NamedTensors, Signature } from '../../tensor/tensor.js';
import type { Backend, BackendLoadOptions } from '../backend.js';
import { createSession } from './create-session.js';
import { runSession, signatureOf } from './ort-convert.js';
import { defaultPoolSize } from './pool-size.js';
import { SessionPool, type WorkerEvent } from './session-pool.js';

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

async function loadPooled(modelPath: string, config: ModelConfig['onnx'], options: BackendLoadOptions): Promise<Backend & { pool: SessionPool }> {
  const log = options.logger;
  const onWorkerEvent = (event: WorkerEvent) => {
    options.onWorkerEvent?.(event.kind);
    if (event.kind === 'exited') log?.warn({ code: event.code, alive: event.alive }, 'inference worker exited; starting a replacement');
    else if (event.kind === 'replaced') log?.info({ alive: event.alive }, 'inference worker replaced');
    else log?.error({ error: event.error, alive: event.alive, retryInMs: event.retryInMs }, 'inference worker could not be restarted; retrying');
  };
  const workers = config.workers ?? defaultPoolSize((await stat(modelPath)).size, readServerEnv().processes);
  const pool = await SessionPool.open(modelPath, { workers, intraOpThreads: config.intraOpThreads, onWorkerEvent });
  const signature: Signature = pool.signature;
  return {
    signature,
    pool,
    run: (inputs, outputs) => pool.run(inputs, outputs),
    describe: () => ({ workers: pool.occupancy() }),
    ready: () => pool.ready(),
    unavailableReason: () => pool.unavailableReason(),
    close: () => pool.close(),
  };
}

export function loadOnnxBackend(options: BackendLoadOptions, config: ModelConfig): Promise<Backend> {
  const modelPath = join(options.versionDir, artifactOf(config));
  return config.onnx.execution === 'inline'
    ? loadInline(modelPath, config.onnx.intraOpThreads)
    : loadPooled(modelPath, config.onnx, options);
}
