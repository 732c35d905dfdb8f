import { availableParallelism } from 'node:os';

/**
 * Artifacts below this size are small tabular pipelines (scikit-learn, linear models, small
 * trees): one run of 100 rows takes microseconds, so a second worker would only add its
 * isolate and session (~25 MB RSS, docs/benchmarks/memory.md) and stay idle.
 */
export const SMALL_MODEL_BYTES = 1 << 20;

/**
 * Worker threads for a pool whose size the model config leaves open: one for a small model;
 * otherwise the cores this process may use (all of them, or its share when PROCESSES runs
 * several server processes side by side).
 */
export function defaultPoolSize(artifactBytes: number, processes: number, cores = availableParallelism()): number {
  if (artifactBytes < SMALL_MODEL_BYTES) return 1;
  return Math.max(1, Math.floor(cores / Math.max(1, processes)));
}
