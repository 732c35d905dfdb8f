import { invalidArgument, ServingError } from '../../errors.js';
import { allocate, elementCount, type NamedTensors, type Signature, type TensorSpec } from '../../tensor/tensor.js';
import { JsonNumber, type JsonValue } from './json-parse.js';
import { flattenInto, isB64, shapeOf, tensorFromJson } from './tensor-from-json.js';

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

/** Row format: instances stacked along a new first dimension, one tensor per input. */
function decodeInstances(instances: JsonValue, specs: readonly TensorSpec[]): NamedTensors {
  if (!Array.isArray(instances)) throw invalidArgument("Excepted 'instances' to be a list/array");
  if (instances.length === 0) throw invalidArgument("No values in 'instances' array");
  const single = specs.length === 1 ? specs[0]! : undefined;
  // Per input, the JSON value each instance gives it.
  const columns = new Map<string, JsonValue[]>(specs.map((s) => [s.name, []]));
  const firstIsObject = isObject(instances[0]) && !isB64(instances[0]);
  if (!single && !firstIsObject) {
    throw invalidArgument('instances is a plain list, but expecting list of objects as multiple input tensors required as per tensorinfo_map');
  }
  instances.forEach((item, i) => {
    const named = isObject(item) && !isB64(item);
    if (firstIsObject && !named) throw invalidArgument(`Expecting object but got list at item ${i} of input list`);
    if (!firstIsObject && named) throw invalidArgument(`Expecting value/list but got object at item ${i} of input list`);
    if (!named) {
      columns.get(single!.name)!.push(item);
      return;
    }
    for (const key of Object.keys(item)) {
      if (!columns.has(key)) wrapElement(i, invalidArgument(`JSON object: does not have named input: ${key}`));
    }
    for (const spec of specs) {
      const v = item[spec.name];
      if (v === undefined) wrapElement(i, invalidArgument(`JSON object: does not have named input: ${spec.name}`));
      columns.get(spec.name)!.push(v);
    }
  });

  const tensors: NamedTensors = {};
  for (const spec of specs) {
    const values = columns.get(spec.name)!;
    let shape: number[] = [];
    let size = 0;
    values.forEach((v, i) => {
      try {
        const s = shapeOf(v);
        if (i === 0) {
          shape = s;
          size = elementCount(s);
          return;
        }
        if (elementCount(s) !== size) throw invalidArgument(`Expecting tensor size: ${size} but got: ${elementCount(s)}`);
        if (dims(s) !== dims(shape)) throw invalidArgument(`Expecting shape ${dims(shape)} but got: ${dims(s)}`);
      } catch (err) {
        wrapElement(i, err);
      }
    });
    const data = allocate(spec.dtype, values.length * size);
    values.forEach((v, i) => {
      try {
        flattenInto(v, shape, spec.dtype, data, i * size);
      } catch (err) {
        wrapElement(i, err);
      }
    });
    tensors[spec.name] = { dtype: spec.dtype, shape: [values.length, ...shape], data };
  }
  return tensors;
}

/** Columnar format: each input keeps its own natural shape. */
function decodeInputs(inputs: JsonValue, specs: readonly TensorSpec[]): NamedTensors {
  const named = isObject(inputs) && !isB64(inputs);
  if (specs.length === 1) {
    const spec = specs[0]!;
    const value = named && spec.name in inputs ? inputs[spec.name]! : inputs;
    return { [spec.name]: tensorFromJson(value, spec.dtype) };
  }
  if (!named) throw invalidArgument("inputs is a plain value/list, but expecting an object as multiple input tensors required as per tensorinfo_map");
  const tensors: NamedTensors = {};
  for (const spec of specs) {
    const value = inputs[spec.name];
    if (value === undefined) throw invalidArgument(`Missing named input: ${spec.name} in 'inputs' object.`);
    tensors[spec.name] = tensorFromJson(value, spec.dtype);
  }
  for (const key of Object.keys(inputs)) {
    if (!specs.some((s) => s.name === key)) throw invalidArgument(`Unknown named input: ${key} in 'inputs' object.`);
  }
  return tensors;
}

/** A predict body (already parsed, signature name already checked) into named tensors. */
export function decodePredictRequest(body: JsonValue, signature: Signature): PredictRequest {
  const obj = body as JsonObject;
  const hasInstances = obj['instances'] !== undefined;
  const hasInputs = obj['inputs'] !== undefined;
  if (hasInstances && hasInputs) throw invalidArgument("Not formatted correctly expecting only one of 'inputs' or 'instances' keys to exist");
  if (!hasInstances && !hasInputs) throw invalidArgument("Missing 'inputs' or 'instances' key");
  const inputs = hasInstances ? decodeInstances(obj['instances']!, signature.inputs) : decodeInputs(obj['inputs']!, signature.inputs);
  return { format: hasInstances ? 'row' : 'columnar', inputs, squeeze: signature.inputs.some((spec) => lacksTrailingOne(inputs[spec.name]!.shape, spec)) };
}

/** [N] (or [N, ..., k]) sent for an input declared [-1, 1] (or [-1, ..., k, 1]). */
function lacksTrailingOne(shape: readonly number[], spec: TensorSpec): boolean {
  const declared = spec.shape;
  if (!declared || declared.length < 2 || declared.at(-1) !== 1 || shape.length !== declared.length - 1) return false;
  return shape.every((d, i) => declared[i] === -1 || declared[i] === d);
}
