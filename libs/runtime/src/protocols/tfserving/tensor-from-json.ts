import { invalidArgument } from '../../errors.js';
import { allocate, elementCount, type DType, type Tensor, type TensorData } from '../../tensor/tensor.js';
import { overflowsFloat32 } from '../../tensor/float-range.js';
import { Checkpoints, runSteps, type Steps } from '../../threads/time-slices.js';
import { TF_DTYPES } from './dtype-names.js';
import { JsonNumber, type JsonValue } from './json-parse.js';

const MAX_RANK = 64;
const INT_RANGE: Partial<Record<DType, [bigint, bigint]>> = {
  int8: [-(2n ** 31n), 2n ** 31n - 1n], // TF Serving range-checks the narrow types as int32
  uint8: [-(2n ** 31n), 2n ** 31n - 1n],
  int16: [-(2n ** 31n), 2n ** 31n - 1n],
  uint16: [-(2n ** 31n), 2n ** 31n - 1n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

export const isB64 = (v: JsonValue): v is { b64: string } =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber) && Object.keys(v).length === 1 && typeof v['b64'] === 'string';

function jsonType(v: JsonValue): string {
  if (v === null) return 'Null';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number' || v instanceof JsonNumber) return 'Number';
  if (typeof v === 'string') return 'String';
  return Array.isArray(v) ? 'Array' : 'Object';
}

function jsonText(v: JsonValue): string {
  if (v instanceof JsonNumber) return v.text;
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return JSON.stringify(v) ?? String(v);
}

const typeError = (v: JsonValue, dtype: DType) =>
  invalidArgument(`JSON Value: ${jsonText(v)} Type: ${jsonType(v)} is not of expected type: ${TF_DTYPES[dtype].name}`);

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** One JSON leaf into the tensor buffer, with TF Serving's conversion rules. */
function store(data: TensorData, i: number, v: JsonValue, dtype: DType): void {
  switch (dtype) {
    case 'float32':
    case 'float64': {
      let x: number;
      if (typeof v === 'number') x = v;
      else if (v instanceof JsonNumber) x = v.toNumber();
      else throw typeError(v, dtype);
      // A finite number that float32 cannot hold would reach the model as Infinity.
      if (dtype === 'float32' && overflowsFloat32(x)) throw typeError(v, dtype);
      (data as Float64Array)[i] = x;
      return;
    }
    case 'string':
      if (typeof v === 'string') (data as string[])[i] = v;
      else if (isB64(v)) {
        if (!BASE64.test(v.b64)) throw invalidArgument(`Unable to base64 decode: ${v.b64.slice(0, 64)}`);
        // String tensors are UTF-8 text in onnxruntime; binary that is not UTF-8 cannot round-trip.
        (data as string[])[i] = Buffer.from(v.b64, 'base64').toString('utf8');
      } else throw typeError(v, dtype);
      return;
    case 'bool':
      if (typeof v !== 'boolean') throw typeError(v, dtype);
      (data as Uint8Array)[i] = v ? 1 : 0;
      return;
    default: {
      // An integer input needs an integer literal: `1.0` is not one, as in TF Serving.
      let n: bigint;
      if (v instanceof JsonNumber && v.isIntegerLiteral) n = BigInt(v.text);
      else if (typeof v === 'number' && Number.isSafeInteger(v)) n = BigInt(v);
      else throw typeError(v, dtype);
      const [min, max] = INT_RANGE[dtype]!;
      if (n < min || n > max) throw typeError(v, dtype);
      if (dtype === 'int64' || dtype === 'uint64') (data as BigInt64Array)[i] = n;
      else (data as Int32Array)[i] = Number(n);
    }
  }
}

/** The shape, read off the first element at each depth: `[[1,2],[3,4],[5,6]]` is [3, 2]. */
export function shapeOf(value: JsonValue): number[] {
  const shape: number[] = [];
  let v = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (shape.length > MAX_RANK) throw invalidArgument(`Encountered list nested deeper than ${MAX_RANK} levels`);
    if (v.length === 0) break;
    v = v[0]!;
  }
  return shape;
}

/** Writes `value` (already known to have `shape`) row-major into `data` from `offset`. */
export function flattenInto(value: JsonValue, shape: readonly number[], dtype: DType, data: TensorData, offset: number): void {
  fill(value, 0, shape, dtype, data, offset);
}

/**
 * The walk of flattenInto from `level`, writing from index `i`; returns the next index.
 * A plain function rather than a closure per call: rows of scalars call it ~10^5 times
 * for a large body. Recursion is bounded by the shape's rank (≤ 64, see shapeOf).
 */
function fill(v: JsonValue, level: number, shape: readonly number[], dtype: DType, data: TensorData, i: number): number {
  if (level === shape.length) {
    if (Array.isArray(v)) throw invalidArgument(`Encountered list at unexpected level: ${level} expected < ${shape.length}`);
    store(data, i, v, dtype);
    return i + 1;
  }
  if (!Array.isArray(v)) throw invalidArgument(`JSON Value: ${jsonText(v)} found at incorrect level: ${level + 1} in the JSON DOM. Expected at level: ${shape.length + 1}`);
  if (v.length !== shape[level]) throw invalidArgument(`Encountered list at unexpected size: ${v.length} at level: ${level} expected size: ${shape[level]}`);
  for (let k = 0; k < v.length; k++) i = fill(v[k]!, level + 1, shape, dtype, data, i);
  return i;
}

/** A whole JSON value (scalar or nested lists) as one tensor. */
export function tensorFromJson(value: JsonValue, dtype: DType): Tensor {
  return runSteps(tensorFromJsonSteps(value, dtype));
}

/** tensorFromJson with checkpoints between items of the outer list. */
export function* tensorFromJsonSteps(value: JsonValue, dtype: DType): Steps<Tensor> {
  const shape = shapeOf(value);
  const data = allocate(dtype, elementCount(shape));
  if (shape.length === 0 || !Array.isArray(value)) {
    fill(value, 0, shape, dtype, data, 0);
    return { dtype, shape, data };
  }
  // Level 0 of fill, one outer item at a time (shapeOf read its length off this very list).
  const stride = Math.max(1, data.length / value.length);
  const checkpoints = new Checkpoints();
  let i = 0;
  for (let k = 0; k < value.length; k++) {
    i = fill(value[k]!, 1, shape, dtype, data, i);
    if (checkpoints.due(stride)) yield;
  }
  return { dtype, shape, data };
}
