import { valueAt, type Tensor } from '../../tensor/tensor.js';

type JsonScalar = number | string | boolean | null;
export type JsonNested = JsonScalar | JsonNested[];

function scalar(t: Tensor, i: number): JsonScalar {
  const v = valueAt(t, i);
  // JSON has no 64-bit ints; values past 2^53 lose precision here, which v2 and the legacy
  // API accept (the TF Serving codec writes them exactly).
  return typeof v === 'bigint' ? Number(v) : v;
}

/** The flat values of a tensor (or those in [from, to)) as JSON values. */
export function flatValues(t: Tensor, from = 0, to = t.data.length): JsonScalar[] {
  const out = new Array<JsonScalar>(to - from);
  for (let i = from; i < to; i++) out[i - from] = scalar(t, i);
  return out;
}

/**
 * Row `row` of a tensor whose first dimension is the batch, as nested lists; a row of a
 * single value is that value (a probability vector stays a list, a label becomes a string).
 */
export function rowValue(t: Tensor, row: number): JsonNested {
  const inner = t.shape.slice(1);
  const size = inner.reduce((a, b) => a * b, 1);
  const start = row * size;
  if (size === 1) return scalar(t, start);
  const build = (depth: number, offset: number): JsonNested[] => {
    const n = inner[depth]!;
    const stride = inner.slice(depth + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: n }, (_, i) =>
      depth === inner.length - 1 ? scalar(t, offset + i) : build(depth + 1, offset + i * stride),
    );
  };
  return build(0, start);
}
