import { INT_RANGES, type DType, type TensorSpec } from '../../tensor/tensor.js';

/** A JSON Schema (2020-12, as OpenAPI 3.1 uses it); loose on purpose: the validator checks the document. */
export type Schema = Record<string, unknown>;

/** One tensor element as JSON, by dtype (64-bit ints travel as JSON numbers). */
export function elementSchema(dtype: DType): Schema {
  if (dtype === 'string') return { type: 'string' };
  if (dtype === 'bool') return { type: 'boolean' };
  if (dtype === 'float32' || dtype === 'float64') return { type: 'number', format: dtype === 'float32' ? 'float' : 'double' };
  const range = INT_RANGES[dtype];
  return range ? { type: 'integer', minimum: range[0], maximum: range[1] } : { type: 'integer', format: dtype };
}

/** Nested lists of `dims` (−1: any length) around `leaf`. */
export function nestedSchema(dims: readonly number[], leaf: Schema): Schema {
  return dims.reduceRight<Schema>((inner, d) => (d > 0 ? { type: 'array', items: inner, minItems: d, maxItems: d } : { type: 'array', items: inner }), leaf);
}

/** The declared dimensions after the batch dimension; unknown rank reads as "any list". */
export const innerDims = (spec: TensorSpec): number[] => spec.shape?.slice(1) ?? [];

/** A human-readable shape, e.g. [N, 28, 28]. */
export const shapeText = (spec: TensorSpec): string => (spec.shape ? `[${spec.shape.map((d) => (d < 0 ? 'N' : d)).join(', ')}]` : 'any shape');
