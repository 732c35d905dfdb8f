import { readServerEnv } from '../../config/env.js';
import { processPoolSize } from './pool-size.js';
import { WorkerPool } from './worker-pool.js';

let shared: WorkerPool | undefined;

/**
 * The one onnxruntime worker pool of this process, sized when the first pooled version
 * loads (ONNX_WORKERS, else this process's share of the cores). Its threads start with the
 * first version and stop after the last one is unloaded.
 */
export function sharedWorkerPool(): WorkerPool {
  if (!shared) {
    const env = readServerEnv();
    shared = new WorkerPool(processPoolSize(env.onnxWorkers, env.processes));
  }
  return shared;
}
