import { allocate, type NamedTensors, type Tensor, type TensorData } from '../tensor/tensor.js';

/** Stacks tensors of the same input along the batch dimension. */
export function concatRows(parts: readonly Tensor[]): Tensor {
  const first = parts[0]!;
  const rows = parts.reduce((n, t) => n + t.shape[0]!, 0);
  const length = parts.reduce((n, t) => n + t.data.length, 0);
  const data = allocate(first.dtype, length);
  let at = 0;
  for (const t of parts) {
    if (Array.isArray(data)) for (let i = 0; i < t.data.length; i++) data[at + i] = (t.data as string[])[i]!;
    else (data as Float32Array).set(t.data as Float32Array, at);
    at += t.data.length;
  }
  return { dtype: first.dtype, shape: [rows, ...first.shape.slice(1)], data };
}

/** Rows [from, to) of a tensor whose first dimension is the batch; a view where possible. */
export function sliceRows(t: Tensor, from: number, to: number): Tensor {
  const stride = t.shape[0] ? t.data.length / t.shape[0] : 0;
  const data: TensorData = Array.isArray(t.data)
    ? t.data.slice(from * stride, to * stride)
    : (t.data as Float32Array).subarray(from * stride, to * stride);
  return { dtype: t.dtype, shape: [to - from, ...t.shape.slice(1)], data };
}

/**
 * Requests can share a batch when every input has the same type and per-row shape, and
 * they ask for the same outputs. Compared in place: this runs for every request batched,
 * and a key string built from 32 inputs cost more than the batching saved.
 */
export function sameBatchLayout(a: NamedTensors, aOutputs: readonly string[] | undefined, b: NamedTensors, bOutputs: readonly string[] | undefined): boolean {
  if (aOutputs !== bOutputs) {
    if (!aOutputs || !bOutputs || aOutputs.length !== bOutputs.length) return false;
    for (const name of aOutputs) if (!bOutputs.includes(name)) return false;
  }
  for (const name in a) {
    const x = a[name]!;
    const y = b[name];
    if (!y || x.dtype !== y.dtype || x.shape.length !== y.shape.length) return false;
    for (let d = 1; d < x.shape.length; d++) if (x.shape[d] !== y.shape[d]) return false;
  }
  for (const name in b) if (!(name in a)) return false;
  return true;
}

export function rowsOf(inputs: NamedTensors): number | undefined {
  let rows: number | undefined;
  for (const name in inputs) {
    const t = inputs[name]!;
    if (t.shape.length === 0) return undefined;
    if (rows === undefined) rows = t.shape[0];
    else if (rows !== t.shape[0]) return undefined;
  }
  return rows;
}
