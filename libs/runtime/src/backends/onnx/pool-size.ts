import { availableParallelism } from 'node:os';

/**
 * Artifacts below this size are small tabular pipelines (scikit-learn, linear models, small
 * trees): one run of 100 rows takes microseconds, so a session of it in a second worker
 * would only cost memory and stay idle.
 */
export const SMALL_MODEL_BYTES = 1 << 20;

/**
 * Worker threads of the process-wide pool: ONNX_WORKERS when set, else the cores this
 * process may use (all of them, or its share when PROCESSES runs several server processes
 * side by side), at least one.
 */
export function processPoolSize(onnxWorkers: number | undefined, processes: number, cores = availableParallelism()): number {
  if (onnxWorkers !== undefined && onnxWorkers > 0) return onnxWorkers;
  return Math.max(1, Math.floor(cores / Math.max(1, processes)));
}

/**
 * How many of the pool's workers hold a session of one model version (so how many of its
 * runs can execute at once) when its config leaves `onnx.workers` open: one for a small
 * model, every worker for a larger one; never more than the pool has.
 */
export function defaultHosts(artifactBytes: number, poolSize: number): number {
  return artifactBytes < SMALL_MODEL_BYTES ? 1 : poolSize;
}
