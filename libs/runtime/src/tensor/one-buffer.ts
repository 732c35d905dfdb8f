import { ARRAY_TYPES, allocate, type DType, type TensorData } from './tensor.js';

type NumericDType = Exclude<DType, 'string'>;

/**
 * Storage for the tensors of one request, carved out of a single ArrayBuffer. A request of
 * 32 one-column inputs otherwise makes 32 ArrayBuffers, and each is a backing store V8
 * registers, tracks and sweeps on its own: measured, that bookkeeping cost more than filling
 * the values (docs/benchmarks/hotpath.md). Views start on 8-byte boundaries, so every dtype
 * sits aligned. Worker threads cannot take such a buffer whole: backends/onnx/transfer.ts
 * copies views instead of moving them, and the pool packs tensors anyway.
 */
export class OneBuffer {
  private readonly buffer: ArrayBuffer;
  /** Set when the buffer was used before: each view is zeroed as it is handed out. */
  private readonly reused: boolean;
  private at = 0;
  /** Bytes asked for so far, whether the buffer had room for them or not. */
  requested = 0;

  /**
   * `bytes`: a new buffer for what the views will hold, each view's length rounded up to 8
   * bytes; or a buffer used before (the interpreter's scratch), whose views are zeroed as they
   * are taken: zeroing what a run uses costs a fraction of a new buffer's allocation.
   */
  constructor(bytes: number | ArrayBuffer) {
    this.reused = typeof bytes !== 'number';
    this.buffer = typeof bytes === 'number' ? new ArrayBuffer(bytes) : bytes;
  }

  static bytesFor(dtype: NumericDType, length: number): number {
    return align8(length * ARRAY_TYPES[dtype].BYTES_PER_ELEMENT);
  }

  /** A zero-filled view of `length` elements; a fresh array if the buffer has no room left. */
  take(dtype: 'float32', length: number): Float32Array;
  take(dtype: 'float64', length: number): Float64Array;
  take(dtype: 'int64', length: number): BigInt64Array;
  take(dtype: NumericDType, length: number): Exclude<TensorData, string[]>;
  take(dtype: NumericDType, length: number): Exclude<TensorData, string[]> {
    const View = ARRAY_TYPES[dtype];
    const bytes = OneBuffer.bytesFor(dtype, length);
    this.requested += bytes;
    if (this.at + bytes > this.buffer.byteLength) return new View(length);
    const view = new View(this.buffer, this.at, length);
    if (this.reused) new Uint8Array(this.buffer, this.at, bytes).fill(0);
    this.at += bytes;
    return view;
  }
}

/** Zero-filled storage for several tensors, the numeric ones as views of one buffer. */
export function allocateInOneBuffer(parts: readonly { dtype: DType; length: number }[]): TensorData[] {
  let bytes = 0;
  for (const { dtype, length } of parts) if (dtype !== 'string') bytes += OneBuffer.bytesFor(dtype, length);
  const one = new OneBuffer(bytes);
  return parts.map(({ dtype, length }) => (dtype === 'string' ? allocate(dtype, length) : one.take(dtype, length)));
}

const align8 = (n: number) => (n + 7) & ~7;
