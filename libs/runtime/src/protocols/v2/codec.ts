import { invalidArgument } from '../../errors.js';
import { allocate, elementCount, inputSpecsByName, type DType, type NamedTensors, type Signature, type Tensor, type TensorData } from '../../tensor/tensor.js';
import { dropUnfilled, fastObject } from '../../tensor/fast-object.js';
import { describe } from '../../features/record-table.js';
import { flattenNestedSteps } from '../../tensor/flatten-nested.js';
import { overflowsFloat32 } from '../../tensor/float-range.js';
import { Checkpoints, runSteps, type Steps } from '../../threads/time-slices.js';
import { flatValues } from '../shared/tensor-json.js';
import { joinPieces, type Pieces } from '../shared/answer-stream.js';
import { dtypeOfV2, v2Datatype } from './datatypes.js';

/** A decoded POST .../infer body. */
export interface InferRequest {
  id?: string;
  inputs: NamedTensors;
  /** Requested outputs; undefined means all. */
  outputs?: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function* fill(dtype: DType, values: unknown[], name: string): Steps<TensorData> {
  const checkpoints = new Checkpoints();
  const data = allocate(dtype, values.length);
  const bad = (i: number, want: string) =>
    invalidArgument(`input "${name}": element ${i} must be ${want}, got ${describe(values[i])}`);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    switch (dtype) {
      case 'string':
        if (typeof v !== 'string') throw bad(i, 'a string');
        (data as string[])[i] = v;
        break;
      case 'bool':
        if (typeof v !== 'boolean') throw bad(i, 'true or false');
        (data as Uint8Array)[i] = v ? 1 : 0;
        break;
      case 'float32':
      case 'float64':
        // null is a missing value, as in the legacy API: NaN, for the model's imputer.
        if (v === null) (data as Float64Array)[i] = NaN;
        else if (typeof v === 'number') {
          if (dtype === 'float32' && overflowsFloat32(v)) throw bad(i, 'a number within the FP32 range');
          (data as Float64Array)[i] = v;
        } else throw bad(i, 'a number');
        break;
      case 'int64':
      case 'uint64':
        if (typeof v !== 'number' || !Number.isSafeInteger(v) || (dtype === 'uint64' && v < 0)) throw bad(i, `an integer (${dtype})`);
        (data as BigInt64Array)[i] = BigInt(v);
        break;
      default: {
        if (typeof v !== 'number' || !Number.isInteger(v)) throw bad(i, `an integer (${dtype})`);
        const arr = data as Int32Array;
        arr[i] = v;
        if (arr[i] !== v) throw bad(i, `an integer that fits ${dtype}`);
      }
    }
    if (checkpoints.due()) yield;
  }
  return data;
}

export function decodeInferRequest(body: unknown, signature: Signature): InferRequest {
  return runSteps(decodeInferRequestSteps(body, signature));
}

/** decodeInferRequest with checkpoints, for a large body's time slices (threads/time-slices.ts). */
export function* decodeInferRequestSteps(body: unknown, signature: Signature): Steps<InferRequest> {
  if (!isObject(body)) throw invalidArgument('the request body must be a JSON object with an "inputs" list');
  const { id, inputs, outputs } = body;
  if (id !== undefined && typeof id !== 'string') throw invalidArgument('"id" must be a string');
  if (!Array.isArray(inputs) || inputs.length === 0) throw invalidArgument('"inputs" must be a non-empty list of tensors');

  // Filled by name into an object laid out for the signature (tensor/fast-object.ts).
  const tensors = fastObject<Tensor | null>(signature.inputs);
  for (let i = 0; i < inputs.length; i++) {
    const input: unknown = inputs[i];
    if (!isObject(input)) throw invalidArgument(`inputs[${i}] must be an object with name, shape, datatype and data`);
    const { name, shape, datatype, data } = input;
    if (typeof name !== 'string') throw invalidArgument(`inputs[${i}].name must be a string`);
    if (tensors[name]) throw invalidArgument(`input "${name}" is given twice`);
    const spec = inputSpecsByName(signature).get(name);
    if (!spec) throw invalidArgument(`unknown input "${name}"; the model's inputs are ${signature.inputs.map((s) => `"${s.name}"`).join(', ')}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw invalidArgument(`input "${name}": shape must be a list of non-negative integers`);
    }
    const dtype = typeof datatype === 'string' ? dtypeOfV2(datatype) : undefined;
    if (!dtype) throw invalidArgument(`input "${name}": unsupported datatype ${JSON.stringify(datatype)}`);
    if (dtype !== spec.dtype) throw invalidArgument(`input "${name}" has datatype ${datatype}, but the model expects ${v2Datatype(spec.dtype)}`);
    if (data === undefined) throw invalidArgument(`input "${name}" has no "data"`);
    const dims = shape as number[];
    // "data" may be flat or nested as the shape is; never deeper than the shape's rank.
    const values = yield* flattenNestedSteps(data, Math.max(dims.length, 1));
    if (!values) throw invalidArgument(`input "${name}": "data" is nested deeper than its shape [${dims.join(', ')}] allows`);
    if (values.length !== elementCount(dims)) {
      throw invalidArgument(`input "${name}": shape [${dims.join(', ')}] holds ${elementCount(dims)} values, but "data" has ${values.length}`);
    }
    tensors[name] = { dtype, shape: dims, data: yield* fill(dtype, values, name) };
  }

  let requested: string[] | undefined;
  if (outputs !== undefined) {
    if (!Array.isArray(outputs)) throw invalidArgument('"outputs" must be a list of {"name": ...} objects');
    requested = outputs.map((o, i) => {
      if (!isObject(o) || typeof o['name'] !== 'string') throw invalidArgument(`outputs[${i}] must be an object with a "name"`);
      return o['name'];
    });
  }
  return { ...(id !== undefined && { id }), inputs: dropUnfilled(tensors), ...(requested && { outputs: requested }) };
}

export function encodeInferResponse(model: string, version: number, id: string | undefined, outputs: NamedTensors, order: readonly string[]) {
  return {
    model_name: model,
    model_version: String(version),
    ...(id !== undefined && { id }),
    outputs: order
      .filter((name) => outputs[name])
      .map((name) => {
        const t = outputs[name]!;
        return { name, datatype: v2Datatype(t.dtype), shape: t.shape, data: flatValues(t) };
      }),
  };
}

/** Values of one output's JSON "data" written between two checkpoints. */
const DATA_CHUNK = 4096;

/**
 * JSON.stringify(encodeInferResponse(...)), byte for byte, written in pieces: each output's
 * "data" a chunk of values at a time with a checkpoint after each, never as one array of
 * every value (time slices, threads/time-slices.ts; and half the memory).
 */
export function inferResponseTextSteps(model: string, version: number, id: string | undefined, outputs: NamedTensors, order: readonly string[]): Steps<string> {
  return joinPieces(inferResponsePieces(model, version, id, outputs, order));
}

/** inferResponseTextSteps as pieces of text, for a large answer written as it is made (answer-stream.ts). */
export function* inferResponsePieces(model: string, version: number, id: string | undefined, outputs: NamedTensors, order: readonly string[]): Pieces {
  const head = JSON.stringify({ model_name: model, model_version: String(version), ...(id !== undefined && { id }) });
  let before = `${head.slice(0, -1)},"outputs":[`;
  for (const name of order.filter((n) => outputs[n])) {
    const t = outputs[name]!;
    // "data" is the last key: its empty list `[]}` is where the values go.
    const open = JSON.stringify({ name, datatype: v2Datatype(t.dtype), shape: t.shape, data: [] }).slice(0, -3);
    let values = `${before}${open}[`;
    for (let from = 0; from < t.data.length; from += DATA_CHUNK) {
      yield values + JSON.stringify(flatValues(t, from, Math.min(from + DATA_CHUNK, t.data.length))).slice(1, -1);
      values = ',';
      yield;
    }
    yield `${values === ',' ? '' : values}]}`;
    before = ',';
  }
  yield `${before === ',' ? '' : before}]}`;
}

export function encodeModelMetadata(name: string, versions: readonly number[], platform: string, signature: Signature) {
  const spec = (s: Signature['inputs'][number]) => ({ name: s.name, datatype: v2Datatype(s.dtype), shape: s.shape ?? [-1] });
  return {
    name,
    versions: versions.map(String),
    platform,
    inputs: signature.inputs.map(spec),
    outputs: signature.outputs.map(spec),
  };
}
