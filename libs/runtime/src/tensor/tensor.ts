/**
 * The one data shape that crosses every boundary inside the runtime: protocols decode
 * HTTP into named tensors, backends turn named tensors into named tensors.
 */
export const DTYPES = [
  'float32',
  'float64',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'bool',
  'string',
] as const;
export type DType = (typeof DTYPES)[number];

/** Flat, row-major storage. `bool` is a Uint8Array of 0/1; 64-bit ints are BigInt arrays. */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | string[];

export interface Tensor {
  dtype: DType;
  /** Concrete dimensions; the product equals data.length. */
  shape: number[];
  data: TensorData;
}

export type NamedTensors = Record<string, Tensor>;

/** A declared input or output: -1 marks a dimension of unknown size (usually the batch). */
export interface TensorSpec {
  name: string;
  dtype: DType;
  /** null when the model does not declare a rank. */
  shape: number[] | null;
}

export interface Signature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

// Built once per signature: a find per input of a request is 32 × 32 comparisons for 32 inputs.
const inputsByName = new WeakMap<Signature, ReadonlyMap<string, TensorSpec>>();

/** The signature's inputs by name. */
export function inputSpecsByName(signature: Signature): ReadonlyMap<string, TensorSpec> {
  let map = inputsByName.get(signature);
  if (!map) inputsByName.set(signature, (map = new Map(signature.inputs.map((s) => [s.name, s]))));
  return map;
}

/** Values held by all the tensors together (their data arrays' lengths summed). */
export function valueCount(tensors: Readonly<Record<string, { data: { length: number } }>>): number {
  let n = 0;
  for (const name in tensors) n += tensors[name]!.data.length;
  return n;
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The typed array that holds each numeric dtype (bool as bytes). */
export const ARRAY_TYPES = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
} as const;

/** A zero-filled buffer of the right storage type for `dtype`. */
export function allocate(dtype: DType, length: number): TensorData {
  if (dtype === 'string') return new Array<string>(length).fill('');
  return new ARRAY_TYPES[dtype](length);
}

/** The values each JS-number integer dtype holds (64-bit ones travel as bigint). */
export const INT_RANGES: Partial<Record<DType, readonly [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

export function isBigIntDType(dtype: DType): dtype is 'int64' | 'uint64' {
  return dtype === 'int64' || dtype === 'uint64';
}

/** Element i as a JSON-friendly JS value (bigint kept for 64-bit ints, boolean for bool). */
export function valueAt(t: Tensor, i: number): number | bigint | string | boolean {
  const v = t.data[i]!;
  return t.dtype === 'bool' ? v === 1 : v;
}
