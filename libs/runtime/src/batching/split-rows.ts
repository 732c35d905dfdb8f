import { rowsOf, sliceRows } from '../tensor/rows.js';
import type { ModelConfig } from '../config/schema.js';
import { allocate, type NamedTensors, type Tensor } from '../tensor/tensor.js';

type Run = (inputs: NamedTensors, outputs?: readonly string[]) => Promise<NamedTensors>;

/** Rows per run of a batched model when model.json does not say (`largeRequests.maxRowsPerRun`). */
export const DEFAULT_MAX_ROWS_PER_RUN = 4096;

/**
 * The split a model's config asks for: its own `largeRequests.maxRowsPerRun`, else the
 * default for a model with `batching` (which declares its rows independent), else none.
 */
export function maxRowsPerRun(config: Pick<ModelConfig, 'largeRequests' | 'batching'>): number | undefined {
  return config.largeRequests?.maxRowsPerRun ?? (config.batching ? DEFAULT_MAX_ROWS_PER_RUN : undefined);
}

/**
 * A request of more rows than `maxRowsPerRun` runs as consecutive runs of at most that
 * many rows, their outputs stacked again: TF Serving's enable_large_batch_splitting with
 * max_execution_batch_size. Why: onnxruntime sizes its intermediates (and its arena, which
 * keeps them) by the run, so one 260,000-row run of a scikit-learn pipeline held ~5× the
 * request's body in native memory, and the hop to a worker thread copies the whole input
 * at once. Runs of 4096 rows cost the same CPU and a bounded amount of memory.
 *
 * Rows must be independent, as the batcher also assumes. Where a model's outputs are not
 * per row (the first run's outputs do not have its rows as their first dimension), the
 * request runs whole instead, as it did before.
 */
export function runInRowSlices(run: Run, inputs: NamedTensors, outputs: readonly string[] | undefined, maxRowsPerRun: number | undefined): Promise<NamedTensors> {
  if (maxRowsPerRun === undefined) return run(inputs, outputs);
  // One look at one input decides for the common, small request: no extra promise, no walk.
  for (const name in inputs) {
    if ((inputs[name]!.shape[0] ?? 0) <= maxRowsPerRun) return run(inputs, outputs);
    break;
  }
  const rows = rowsOf(inputs);
  if (rows === undefined || rows <= maxRowsPerRun) return run(inputs, outputs);
  return runSlices(run, inputs, outputs, rows, maxRowsPerRun);
}

async function runSlices(run: Run, inputs: NamedTensors, outputs: readonly string[] | undefined, rows: number, maxRowsPerRun: number): Promise<NamedTensors> {
  // The whole answer's outputs, allocated at the first run's result and filled run by run,
  // so that no run's result outlives its copy.
  let merged: NamedTensors | undefined;
  for (let from = 0; from < rows; from += maxRowsPerRun) {
    const to = Math.min(rows, from + maxRowsPerRun);
    const slice: NamedTensors = {};
    // A copy, not a view: the hop to a worker thread may transfer (and so detach) what it is given.
    for (const name in inputs) slice[name] = copyOf(sliceRows(inputs[name]!, from, to));
    const result = await run(slice, outputs);
    if (!Object.values(result).every((t) => t.shape.length > 0 && t.shape[0] === to - from)) {
      if (from === 0) return run(inputs, outputs);
      throw new Error(`the model's outputs stopped being per row at row ${from}`);
    }
    merged ??= Object.fromEntries(Object.entries(result).map(([name, t]) => [name, { dtype: t.dtype, shape: [rows, ...t.shape.slice(1)], data: allocate(t.dtype, (t.data.length / (to - from)) * rows) }]));
    for (const name in result) {
      const part = result[name]!;
      const whole = merged[name];
      const width = whole ? whole.data.length / rows : 0;
      if (!whole || whole.dtype !== part.dtype || part.data.length !== width * (to - from)) throw new Error(`output "${name}" changed its type or row size between runs of one request`);
      const at = width * from;
      if (Array.isArray(whole.data)) for (let k = 0; k < part.data.length; k++) whole.data[at + k] = (part.data as string[])[k]!;
      else (whole.data as Float32Array).set(part.data as Float32Array, at);
    }
  }
  return merged!;
}

function copyOf(t: Tensor): Tensor {
  return Array.isArray(t.data) ? t : { ...t, data: (t.data as Float32Array).slice() };
}
