import { invalidArgument, ServingError } from '../../errors.js';
import { allocate, elementCount, type NamedTensors, type Signature, type Tensor, type TensorSpec } from '../../tensor/tensor.js';
import { fastObject } from '../../tensor/fast-object.js';
import { JsonNumber, type JsonValue } from './json-parse.js';
import { Checkpoints, runSteps, type Steps } from '../../threads/time-slices.js';
import { flattenInto, isB64, shapeOf, tensorFromJsonSteps } from './tensor-from-json.js';

export type PredictFormat = 'row' | 'columnar';

export interface PredictRequest {
  format: PredictFormat;
  inputs: NamedTensors;
  /**
   * The caller left out a trailing dimension of 1 that the model declares (flat instances
   * [1.0, 2.0] for an input [-1, 1]); the model runs on [N, 1] and the reply drops that
   * dimension again, so the answer has the shape the caller sent, as TF Serving's
   * half_plus_two answers.
   */
  squeeze: boolean;
}

type JsonObject = { [key: string]: JsonValue };

const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);

const SERVING_DEFAULT = 'serving_default';

/** The first checks TF Serving makes, before it even resolves the model. */
export function readSignatureName(body: JsonValue): string {
  if (!isObject(body)) throw invalidArgument('Is not object');
  const name = body['signature_name'];
  if (name === undefined) return SERVING_DEFAULT;
  if (typeof name !== 'string') throw invalidArgument("'signature_name' key must be a string value.");
  return name || SERVING_DEFAULT;
}

const dims = (shape: readonly number[]) => `[${shape.join(',')}]`;

function wrapElement(i: number, err: unknown): never {
  if (err instanceof ServingError) throw invalidArgument(`Failed to process element: ${i} of 'instances' list. Error: ${err.code}: ${err.message}`);
  throw err;
}

const NO_DIMS: readonly number[] = [];

const sameDims = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, k) => d === b[k]);

/** Row format: instances stacked along a new first dimension, one tensor per input. */
function* decodeInstances(instances: JsonValue, specs: readonly TensorSpec[]): Steps<NamedTensors> {
  if (!Array.isArray(instances)) throw invalidArgument("Excepted 'instances' to be a list/array");
  if (instances.length === 0) throw invalidArgument("No values in 'instances' array");
  const single = specs.length === 1 ? specs[0]! : undefined;
  // Per input, the JSON value each instance gives it.
  const columns = new Map<string, JsonValue[]>(specs.map((s) => [s.name, []]));
  const firstIsObject = isObject(instances[0]) && !isB64(instances[0]);
  if (!single && !firstIsObject) {
    throw invalidArgument('instances is a plain list, but expecting list of objects as multiple input tensors required as per tensorinfo_map');
  }
  const checkpoints = new Checkpoints();
  const singleColumn = single ? columns.get(single.name)! : undefined;
  const specColumns = specs.map((spec) => columns.get(spec.name)!);
  for (let i = 0; i < instances.length; i++) {
    const item = instances[i]!;
    const named = isObject(item) && !isB64(item);
    if (firstIsObject && !named) throw invalidArgument(`Expecting object but got list at item ${i} of input list`);
    if (!firstIsObject && named) throw invalidArgument(`Expecting value/list but got object at item ${i} of input list`);
    if (!named) singleColumn!.push(item);
    else {
      for (const key of Object.keys(item)) {
        if (!columns.has(key)) wrapElement(i, invalidArgument(`JSON object: does not have named input: ${key}`));
      }
      for (let k = 0; k < specs.length; k++) {
        const v = item[specs[k]!.name];
        if (v === undefined) wrapElement(i, invalidArgument(`JSON object: does not have named input: ${specs[k]!.name}`));
        specColumns[k]!.push(v);
      }
    }
    if (checkpoints.due(specs.length)) yield;
  }

  // Every input is filled, by name, into an object laid out for the signature (tensor/fast-object.ts).
  const tensors = fastObject<Tensor>(specs);
  for (const spec of specs) {
    const values = columns.get(spec.name)!;
    let shape: readonly number[] = NO_DIMS;
    let size = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      try {
        const s = Array.isArray(v) ? shapeOf(v) : NO_DIMS;
        if (i === 0) {
          shape = s;
          size = elementCount(s);
        } else if (!sameDims(s, shape)) {
          if (elementCount(s) !== size) throw invalidArgument(`Expecting tensor size: ${size} but got: ${elementCount(s)}`);
          throw invalidArgument(`Expecting shape ${dims(shape)} but got: ${dims(s)}`);
        }
      } catch (err) {
        wrapElement(i, err);
      }
      if (checkpoints.due()) yield;
    }
    const data = allocate(spec.dtype, values.length * size);
    for (let i = 0; i < values.length; i++) {
      try {
        flattenInto(values[i]!, shape, spec.dtype, data, i * size);
      } catch (err) {
        wrapElement(i, err);
      }
      if (checkpoints.due(size || 1)) yield;
    }
    tensors[spec.name] = { dtype: spec.dtype, shape: [values.length, ...shape], data };
  }
  return tensors;
}

/** Columnar format: each input keeps its own natural shape. */
function* decodeInputs(inputs: JsonValue, specs: readonly TensorSpec[]): Steps<NamedTensors> {
  const named = isObject(inputs) && !isB64(inputs);
  if (specs.length === 1) {
    const spec = specs[0]!;
    const value = named && spec.name in inputs ? inputs[spec.name]! : inputs;
    return { [spec.name]: yield* tensorFromJsonSteps(value, spec.dtype) };
  }
  if (!named) throw invalidArgument("inputs is a plain value/list, but expecting an object as multiple input tensors required as per tensorinfo_map");
  const tensors = fastObject<Tensor>(specs);
  for (const spec of specs) {
    const value = inputs[spec.name];
    if (value === undefined) throw invalidArgument(`Missing named input: ${spec.name} in 'inputs' object.`);
    tensors[spec.name] = yield* tensorFromJsonSteps(value, spec.dtype);
  }
  for (const key of Object.keys(inputs)) {
    if (!specs.some((s) => s.name === key)) throw invalidArgument(`Unknown named input: ${key} in 'inputs' object.`);
  }
  return tensors;
}

/** A predict body (already parsed, signature name already checked) into named tensors. */
export function decodePredictRequest(body: JsonValue, signature: Signature): PredictRequest {
  return runSteps(decodePredictRequestSteps(body, signature));
}

/** decodePredictRequest with checkpoints, for a large body's time slices (threads/time-slices.ts). */
export function* decodePredictRequestSteps(body: JsonValue, signature: Signature): Steps<PredictRequest> {
  const obj = body as JsonObject;
  const hasInstances = obj['instances'] !== undefined;
  const hasInputs = obj['inputs'] !== undefined;
  if (hasInstances && hasInputs) throw invalidArgument("Not formatted correctly expecting only one of 'inputs' or 'instances' keys to exist");
  if (!hasInstances && !hasInputs) throw invalidArgument("Missing 'inputs' or 'instances' key");
  const inputs = hasInstances ? yield* decodeInstances(obj['instances']!, signature.inputs) : yield* decodeInputs(obj['inputs']!, signature.inputs);
  return { format: hasInstances ? 'row' : 'columnar', inputs, squeeze: signature.inputs.some((spec) => lacksTrailingOne(inputs[spec.name]!.shape, spec)) };
}

/** [N] (or [N, ..., k]) sent for an input declared [-1, 1] (or [-1, ..., k, 1]). */
export function lacksTrailingOne(shape: readonly number[], spec: TensorSpec): boolean {
  const declared = spec.shape;
  if (!declared || declared.length < 2 || declared.at(-1) !== 1 || shape.length !== declared.length - 1) return false;
  return shape.every((d, i) => declared[i] === -1 || declared[i] === d);
}
