import type { IncomingHttpHeaders } from 'node:http';
import { overflowsFloat32 } from '../../../tensor/float-range.js';
import type { DType, Signature, TensorData } from '../../../tensor/tensor.js';
import { LARGE_BODY_BYTES } from '../../../threads/time-slices.js';
import { readsAsUtf8 } from '../body.js';
import { NotHandled, notHandled, QUOTE, type JsonBytes } from './json-bytes.js';

/**
 * Tensor storage filled value by value from a body's bytes (json-bytes.ts), in the input's
 * own storage from the start (a Float32Array rounds each number as the usual path's store
 * does), sized by what the body declares or a guess, grown by doubling. Only the dtypes the
 * fast decoders read: float32, float64, string.
 */
export class Column {
  private store: Float32Array | Float64Array | string[];
  /** One past the highest index written. */
  length = 0;

  constructor(
    readonly dtype: FastDType,
    capacity: number,
  ) {
    this.store = allocateFast(dtype, Math.max(16, capacity));
  }

  get isString(): boolean {
    return this.dtype === 'string';
  }

  private grow(i: number): void {
    const grown = allocateFast(this.dtype, Math.max(this.store.length * 2, i + 1));
    if (Array.isArray(grown)) for (let k = 0; k < this.length; k++) grown[k] = (this.store as string[])[k]!;
    else grown.set(this.store as Float32Array);
    this.store = grown;
  }

  setNumber(i: number, x: number): void {
    if (i >= this.store.length) this.grow(i);
    (this.store as Float64Array)[i] = x;
    if (i >= this.length) this.length = i + 1;
  }

  setString(i: number, s: string): void {
    if (i >= this.store.length) this.grow(i);
    (this.store as string[])[i] = s;
    if (i >= this.length) this.length = i + 1;
  }

  /** The values as the tensor's storage: exactly `length` of them. */
  data(): TensorData {
    const store = this.store;
    if (store.length === this.length) return store;
    if (Array.isArray(store)) {
      store.length = this.length;
      return store;
    }
    return store.slice(0, this.length);
  }
}

/** Plain storage for the fast dtypes: a list of strings is filled in place, never pushed to. */
function allocateFast(dtype: FastDType, length: number): Float32Array | Float64Array | string[] {
  if (dtype === 'string') return new Array<string>(length);
  return dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

export type FastDType = 'float32' | 'float64' | 'string';

const FAST_DTYPES = new Set<DType>(['float32', 'float64', 'string']);

/** What a null means to an API: a missing value (NaN, or "" for a string), or an error. */
export interface NullRule {
  float: boolean;
  string: boolean;
}

/**
 * One scalar into `column` at `i`, with the usual codecs' rules: a float input takes a
 * number (not one float32 cannot hold), a string input a string; null as `nulls` says.
 * Anything else is left to the usual path to refuse in its own words.
 */
export function readScalar(cur: JsonBytes, column: Column, i: number, nulls: NullRule): void {
  if (column.isString) {
    if (cur.peek() === QUOTE) column.setString(i, cur.string());
    else if (nulls.string && cur.eatNull()) column.setString(i, '');
    else notHandled();
    return;
  }
  if (cur.atNumber()) {
    const x = cur.number();
    if (column.dtype === 'float32' && overflowsFloat32(x)) notHandled();
    column.setNumber(i, x);
  } else if (nulls.float && cur.eatNull()) column.setNumber(i, NaN);
  else notHandled();
}

/**
 * Whether a body may take a fast decoder: large (small ones keep the usual, already fast
 * path), UTF-8 (the only charset whose bytes the cursor reads as JSON.parse reads the
 * text), and for a model whose inputs are all float32, float64 or string.
 */
export function fastDecodable(bytes: number, headers: IncomingHttpHeaders, signature: Signature): boolean {
  if (bytes < LARGE_BODY_BYTES || !readsAsUtf8(headers['content-type'])) return false;
  return signature.inputs.every((s) => FAST_DTYPES.has(s.dtype));
}

/**
 * Runs a fast decoder: its value, or undefined when the body is not one it reads (the
 * caller then decodes the usual way). Other errors are real ones and pass through.
 */
export function* attempt<T>(steps: Generator<void, T, void>): Generator<void, T | undefined, void> {
  try {
    return yield* steps;
  } catch (err) {
    if (err instanceof NotHandled) return undefined;
    throw err;
  }
}

