import type { OneBuffer } from './one-buffer.js';
import { allocate, type NamedTensors, type Tensor, type TensorData } from './tensor.js';

/**
 * Row-wise tensor helpers: the first dimension is the batch. Shared by the batcher (many
 * requests → one run) and the inline ONNX backend (one large request → runs of a few thousand rows).
 */

/**
 * Stacks tensors of the same input along the batch dimension. `storage`: where a numeric
 * result goes (the batcher stacks every input of a batch into one buffer: tensor/one-buffer.ts).
 */
export function concatRows(parts: readonly Tensor[], storage?: OneBuffer): Tensor {
  const first = parts[0]!;
  let rows = 0;
  let length = 0;
  for (const t of parts) {
    rows += t.shape[0]!;
    length += t.data.length;
  }
  const data = storage && first.dtype !== 'string' ? storage.take(first.dtype, length) : allocate(first.dtype, length);
  let at = 0;
  for (const t of parts) {
    const part = t.data;
    // Element by element for short parts (a batch of single records): set() costs more per call than it saves.
    if (Array.isArray(data) || part.length <= 8) for (let i = 0; i < part.length; i++) (data as Float32Array)[at + i] = (part as Float32Array)[i]!;
    else (data as Float32Array).set(part as Float32Array, at);
    at += part.length;
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
