import type { IncomingHttpHeaders } from 'node:http';
import { overflowsFloat32 } from '../../../tensor/float-range.js';
import { allocate, type DType, type Signature, type TensorData } from '../../../tensor/tensor.js';
import { LARGE_BODY_BYTES } from '../../../threads/time-slices.js';
import { NotHandled, notHandled, QUOTE, type JsonBytes } from './json-bytes.js';

/**
 * Tensor storage filled value by value from a body's bytes (json-bytes.ts): numbers in a
 * growing Float64Array, turned into the input's dtype at the end (a Float32Array rounds as
 * the usual path's store does), strings in a plain list. Only the dtypes the fast decoders
 * read: float32, float64, string.
 */
export class Column {
  private numbers: Float64Array | undefined;
  private strings: string[] | undefined;
  /** One past the highest index written. */
  length = 0;

  constructor(
    readonly dtype: FastDType,
    capacity = 1024,
  ) {
    if (dtype === 'string') this.strings = [];
    else this.numbers = new Float64Array(Math.max(16, capacity));
  }

  get isString(): boolean {
    return this.strings !== undefined;
  }

  setNumber(i: number, x: number): void {
    let n = this.numbers!;
    if (i >= n.length) {
      const grown = new Float64Array(Math.max(n.length * 2, i + 1));
      grown.set(n);
      this.numbers = n = grown;
    }
    n[i] = x;
    if (i >= this.length) this.length = i + 1;
  }

  setString(i: number, s: string): void {
    this.strings![i] = s;
    if (i >= this.length) this.length = i + 1;
  }

  /** The values as the tensor's storage: exactly `length` of them, in the dtype's array. */
  data(): TensorData {
    if (this.strings) return this.strings.length === this.length ? this.strings : notHandled();
    const out = allocate(this.dtype, this.length) as Float32Array | Float64Array;
    out.set(this.numbers!.subarray(0, this.length));
    this.numbers = undefined;
    return out;
  }
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

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)"?/i;

/**
 * Whether a body may take a fast decoder: large (small ones keep the usual, already fast
 * path), UTF-8 (the only charset whose bytes the cursor reads as JSON.parse reads the
 * text), and for a model whose inputs are all float32, float64 or string.
 */
export function fastDecodable(bytes: number, headers: IncomingHttpHeaders, signature: Signature): boolean {
  if (bytes < LARGE_BODY_BYTES) return false;
  const charset = CHARSET.exec(headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return false;
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

