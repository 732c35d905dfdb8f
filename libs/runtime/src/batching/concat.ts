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

/** Requests can share a batch when every input has the same type and per-row shape. */
export function batchKey(inputs: NamedTensors, outputs: readonly string[] | undefined): string {
  const parts = Object.keys(inputs)
    .sort()
    .map((name) => `${name}:${inputs[name]!.dtype}:${inputs[name]!.shape.slice(1).join('x')}`);
  return `${parts.join('|')}>${outputs ? [...outputs].sort().join(',') : '*'}`;
}

export function rowsOf(inputs: NamedTensors): number | undefined {
  let rows: number | undefined;
  for (const t of Object.values(inputs)) {
    if (t.shape.length === 0) return undefined;
    if (rows === undefined) rows = t.shape[0];
    else if (rows !== t.shape[0]) return undefined;
  }
  return rows;
}
