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
import { SessionPool } from './session-pool.js';

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

async function loadPooled(modelPath: string, config: ModelConfig['onnx']): Promise<Backend> {
  const workers = config.workers ?? defaultPoolSize((await stat(modelPath)).size, readServerEnv().processes);
  const pool = await SessionPool.open(modelPath, { workers, intraOpThreads: config.intraOpThreads });
  const signature: Signature = pool.signature;
  return {
    signature,
    run: (inputs, outputs) => pool.run(inputs, outputs),
    describe: () => ({ workers: pool.occupancy() }),
    close: () => pool.close(),
  };
}

export function loadOnnxBackend(options: BackendLoadOptions, config: ModelConfig): Promise<Backend> {
  const modelPath = join(options.versionDir, artifactOf(config));
  return config.onnx.execution === 'inline'
    ? loadInline(modelPath, config.onnx.intraOpThreads)
    : loadPooled(modelPath, config.onnx);
}
