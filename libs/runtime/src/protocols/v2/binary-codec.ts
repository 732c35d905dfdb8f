/**
 * The Open Inference Protocol's binary tensor data extension (as Triton and KServe define it):
 * a request body is a JSON header of `Inference-Header-Content-Length` bytes followed by the
 * raw tensors of the inputs whose `parameters.binary_data_size` is set, in input order;
 * outputs asked for with `parameters.binary_data` (or the request's `binary_data_output`)
 * come back the same way. Elements are little-endian, row-major, unpadded; BOOL is one byte;
 * a BYTES element is a 4-byte little-endian length and then its bytes.
 *
 * Decoding copies the bytes straight into the tensor's typed array: no JS number is built
 * per element, which is the point of the extension for 100-row batches.
 */
import { isAscii } from 'node:buffer';
import { invalidArgument } from '../../errors.js';
import { allocate, ARRAY_TYPES, elementCount, inputSpecsByName, type DType, type NamedTensors, type Tensor, type TensorData } from '../../tensor/tensor.js';
import { OneBuffer } from '../../tensor/one-buffer.js';
import { fastObject } from '../../tensor/fast-object.js';
import { asBytes, runSteps, type Steps } from '../../threads/time-slices.js';
import { decodeInferRequest, decodeInferRequestSteps, encodeInferResponse, inferResponseTextSteps, type InferRequest } from './codec.js';
import { dtypeOfV2, v2Datatype } from './datatypes.js';

/** The request and response header that marks a binary body (lower case, as Node gives it). */
export const HEADER_LENGTH = 'inference-header-content-length';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const paramsOf = (v: Record<string, unknown>): Record<string, unknown> => (isObject(v['parameters']) ? v['parameters'] : {});

/** A decoded request plus which outputs the caller wants back as binary. */
export interface V2Request {
  request: InferRequest;
  /** Whether output `name` goes back binary. */
  binaryOutput: (name: string) => boolean;
}

/**
 * Which outputs the caller wants binary: `parameters.binary_data` per requested output,
 * falling back to the request's `parameters.binary_data_output` (default false).
 */
export function binaryOutputChoice(header: unknown): (name: string) => boolean {
  if (!isObject(header)) return () => false;
  const all = paramsOf(header)['binary_data_output'];
  if (all !== undefined && typeof all !== 'boolean') throw invalidArgument('parameters.binary_data_output must be true or false');
  const perOutput = new Map<string, boolean>();
  if (Array.isArray(header['outputs'])) {
    header['outputs'].forEach((o, i) => {
      if (!isObject(o) || typeof o['name'] !== 'string') return; // decodeInferRequest names this error
      const wanted = paramsOf(o)['binary_data'];
      if (wanted === undefined) return;
      if (typeof wanted !== 'boolean') throw invalidArgument(`outputs[${i}].parameters.binary_data must be true or false`);
      perOutput.set(o['name'], wanted);
    });
  }
  return (name) => perOutput.get(name) ?? all === true;
}

/**
 * Reads one BYTES tensor: `count` elements, each a u32le length then that many UTF-8 bytes.
 * When every byte is ASCII (lengths under 128 included), the whole tensor is made one string
 * and each element is a substring of it: the same strings as decoding each element, and 200
 * category strings cost ~5 µs instead of ~25 (a decode call apiece).
 */
function readStrings(bytes: Buffer, count: number, name: string): string[] {
  const out = new Array<string>(count);
  const text = isAscii(bytes) ? bytes.toString('latin1') : undefined;
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 4 > bytes.length) throw invalidArgument(`input "${name}": binary data ends inside the length of element ${i} (BYTES elements are a 4-byte length, then the bytes)`);
    const len = bytes.readUInt32LE(at);
    at += 4;
    if (at + len > bytes.length) throw invalidArgument(`input "${name}": element ${i} says ${len} bytes, but only ${bytes.length - at} remain in its binary_data_size`);
    out[i] = text !== undefined ? text.substring(at, at + len) : bytes.toString('utf8', at, at + len);
    at += len;
  }
  if (at !== bytes.length) throw invalidArgument(`input "${name}": binary_data_size is ${bytes.length} bytes, but its ${count} BYTES elements use ${at}`);
  return out;
}

/** Raw little-endian bytes into a typed array of its own storage (copied: the body's offsets are not aligned). */
function readFixed(bytes: Buffer, dtype: Exclude<DType, 'string'>, count: number, storage?: OneBuffer): TensorData {
  const data = storage ? storage.take(dtype, count) : (allocate(dtype, count) as Exclude<TensorData, string[]>);
  // Every platform onnxruntime-node ships for (x64, arm64) is little-endian, so the bytes
  // are the typed array's own layout.
  new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(bytes);
  if (dtype === 'bool') {
    for (let i = 0; i < count; i++) if ((data as Uint8Array)[i]! > 1) throw invalidArgument(`BOOL element ${i} is ${(data as Uint8Array)[i]}, not 0 or 1`);
  }
  return data;
}

/** One tensor described in a JSON header and carried as bytes (an input here; an output for the v2 backend). */
export function binaryInput(input: Record<string, unknown>, index: number, bytes: Buffer, expected: DType | undefined, storage?: OneBuffer): Tensor {
  const { name, shape, datatype } = input;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw invalidArgument(`input "${String(name)}": shape must be a list of non-negative integers`);
  }
  const dtype = typeof datatype === 'string' ? dtypeOfV2(datatype) : undefined;
  if (!dtype) throw invalidArgument(`input "${String(name)}": unsupported datatype ${JSON.stringify(datatype)}`);
  if (expected && dtype !== expected) throw invalidArgument(`input "${String(name)}" has datatype ${String(datatype)}, but the model expects ${v2Datatype(expected)}`);
  if (input['data'] !== undefined) throw invalidArgument(`inputs[${index}] has both "data" and parameters.binary_data_size; give one`);
  const dims = shape as number[];
  if (dtype !== 'string') {
    const need = elementCount(dims) * ARRAY_TYPES[dtype].BYTES_PER_ELEMENT;
    if (bytes.length !== need) {
      throw invalidArgument(`input "${String(name)}": binary_data_size is ${bytes.length} bytes, but shape [${dims.join(', ')}] of ${datatype} needs ${need}`);
    }
  }
  return tensorFromBytes(String(name), dtype, dims, bytes, storage);
}

/** The tensor a binary input's bytes hold, once its header entry has been checked (binaryInput). */
function tensorFromBytes(name: string, dtype: DType, dims: number[], bytes: Buffer, storage?: OneBuffer): Tensor {
  const count = elementCount(dims);
  if (dtype === 'string') return { dtype, shape: dims, data: readStrings(bytes, count, name) };
  try {
    return { dtype, shape: dims, data: readFixed(bytes, dtype, count, storage) };
  } catch (err) {
    throw invalidArgument(`input "${name}": ${(err as Error).message}`);
  }
}

/**
 * What a binary header said, once it was read without error and held only binary inputs:
 * where each input's bytes are and what they make, the request's options, and which outputs
 * go back binary. A caller sending the same header again (a client streaming batches of one
 * shape, as Triton's clients do) gets its body decoded from this without parsing the header.
 */
interface HeaderPlan {
  bodyLength: number;
  inputs: { name: string; dtype: DType; dims: number[]; at: number; size: number }[];
  storageBytes: number;
  options: Omit<InferRequest, 'inputs'>;
  binaryOutput: (name: string) => boolean;
}

/**
 * Headers remembered per signature (a reloaded version brings its own): the newest PLANS_KEPT
 * by their text, and the last one used also by its bytes. A client streaming one shape sends
 * that one every time, and comparing its bytes (~3 KB for 32 inputs) costs a fraction of
 * decoding them to a string and hashing it for the lookup (~10 µs here).
 */
interface Plans {
  byText: Map<string, HeaderPlan>;
  last?: { bytes: Buffer; plan: HeaderPlan };
}
const plans = new WeakMap<InferSignature, Plans>();
const PLANS_KEPT = 16;

/** Remembers what the header at the start of `body` (`headerLength` bytes, `text` decoded) said, as the one last used. */
function remember(signature: InferSignature, body: Buffer, headerLength: number, text: string, plan: HeaderPlan): void {
  let bySignature = plans.get(signature);
  if (!bySignature) plans.set(signature, (bySignature = { byText: new Map() }));
  const { byText } = bySignature;
  // A Map iterates in insertion order: the first key is the oldest.
  if (byText.size >= PLANS_KEPT) byText.delete(byText.keys().next().value!);
  byText.set(text, plan);
  bySignature.last = { bytes: Buffer.from(body.subarray(0, headerLength)), plan };
}

/**
 * What is remembered of the header at the start of `body` for a body of this length: the one
 * last used, matched by its bytes before any decoding, or one of the others, matched by its
 * text (and then last used); when neither, the header's text, to be read.
 */
function recall(signature: InferSignature, body: Buffer, headerLength: number): HeaderPlan | string {
  const bySignature = plans.get(signature);
  const last = bySignature?.last;
  if (last && last.plan.bodyLength === body.length && last.bytes.length === headerLength && body.compare(last.bytes, 0, headerLength, 0, headerLength) === 0) return last.plan;
  const text = body.toString('utf8', 0, headerLength);
  const plan = bySignature?.byText.get(text);
  if (!plan || plan.bodyLength !== body.length) return text;
  bySignature!.last = { bytes: Buffer.from(body.subarray(0, headerLength)), plan };
  return plan;
}

function decodeWithPlan(body: Buffer, plan: HeaderPlan): V2Request {
  const storage = new OneBuffer(plan.storageBytes);
  const inputs = fastObject<Tensor>(plan.inputs);
  for (const { name, dtype, dims, at, size } of plan.inputs) inputs[name] = tensorFromBytes(name, dtype, dims.slice(), body.subarray(at, at + size), storage);
  const { options } = plan;
  // The options' list of outputs is the caller's to keep: a copy per request.
  const request: InferRequest = options.outputs ? { ...options, outputs: options.outputs.slice(), inputs } : { ...options, inputs };
  return { request, binaryOutput: plan.binaryOutput };
}

/**
 * A binary-extension body: the JSON header (its length from the header), then each binary
 * input's bytes. Inputs sent as JSON `data` in the same request go through the JSON codec.
 */
export function decodeBinaryInferRequest(body: Buffer, headerLength: string, signature: InferSignature): V2Request {
  const length = /^\d{1,15}$/.test(headerLength.trim()) ? Number(headerLength) : NaN;
  if (!Number.isSafeInteger(length)) throw invalidArgument(`Inference-Header-Content-Length must be a byte count, got "${headerLength}"`);
  if (length > body.length) throw invalidArgument(`Inference-Header-Content-Length is ${length}, but the body has only ${body.length} bytes`);
  const recalled = recall(signature, body, length);
  if (typeof recalled !== 'string') return decodeWithPlan(body, recalled);
  const headerText = recalled;
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch (err) {
    throw invalidArgument(`the first ${length} bytes (Inference-Header-Content-Length) are not a JSON object: ${(err as Error).message}`);
  }
  if (!isObject(header) || !Array.isArray(header['inputs']) || header['inputs'].length === 0) {
    throw invalidArgument('the JSON header must be an object with a non-empty "inputs" list');
  }

  const binary: NamedTensors = {};
  const jsonInputs: unknown[] = [];
  const planned: HeaderPlan['inputs'] = [];
  // Room for every input's bytes, each rounded up to 8: one buffer for the whole request.
  const storageBytes = body.length - length + 8 * header['inputs'].length;
  const storage = new OneBuffer(storageBytes);
  let at = length;
  header['inputs'].forEach((input, i) => {
    if (!isObject(input)) throw invalidArgument(`inputs[${i}] must be an object with name, shape, datatype and data`);
    const size = paramsOf(input)['binary_data_size'];
    if (size === undefined) return void jsonInputs.push(input);
    if (typeof input['name'] !== 'string') throw invalidArgument(`inputs[${i}].name must be a string`);
    const name = input['name'];
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw invalidArgument(`input "${name}": parameters.binary_data_size must be a non-negative integer`);
    if (at + size > body.length) {
      throw invalidArgument(`input "${name}": binary_data_size ${size} goes past the end of the body (${body.length - at} bytes left after the header and earlier inputs)`);
    }
    if (binary[name]) throw invalidArgument(`input "${name}" is given twice`);
    const spec = inputSpecsByName(signature).get(name);
    if (!spec) throw invalidArgument(`unknown input "${name}"; the model's inputs are ${signature.inputs.map((s) => `"${s.name}"`).join(', ')}`);
    const tensor = binaryInput(input, i, body.subarray(at, at + size), spec.dtype, storage);
    binary[name] = tensor;
    planned.push({ name, dtype: tensor.dtype, dims: tensor.shape.slice(), at, size });
    at += size;
  });
  if (at !== body.length) {
    throw invalidArgument(`the body has ${body.length - at} bytes after the header and the binary inputs' binary_data_size; they must add up to the body's length`);
  }

  const options = requestOptions(header);
  const binaryOutput = binaryOutputChoice(header);
  if (jsonInputs.length === 0) {
    // The plan keeps its own list of outputs: this request's is the caller's.
    const kept = options.outputs ? { ...options, outputs: options.outputs.slice() } : options;
    remember(signature, body, length, headerText, { bodyLength: body.length, inputs: planned, storageBytes, options: kept, binaryOutput });
    return { request: { ...options, inputs: binary }, binaryOutput };
  }
  const inputs: NamedTensors = { ...decodeInferRequest({ inputs: jsonInputs }, signature).inputs };
  for (const [name, tensor] of Object.entries(binary)) {
    if (inputs[name]) throw invalidArgument(`input "${name}" is given twice`);
    inputs[name] = tensor;
  }
  return { request: { ...options, inputs }, binaryOutput };
}

type InferSignature = Parameters<typeof decodeInferRequest>[1];

/** "id" and "outputs" of the JSON header, checked as the JSON codec checks them. */
function requestOptions(header: Record<string, unknown>): Omit<InferRequest, 'inputs'> {
  const { id, outputs } = header;
  if (id !== undefined && typeof id !== 'string') throw invalidArgument('"id" must be a string');
  if (outputs === undefined) return { ...(id !== undefined && { id }) };
  if (!Array.isArray(outputs)) throw invalidArgument('"outputs" must be a list of {"name": ...} objects');
  const names = outputs.map((o, i) => {
    if (!isObject(o) || typeof o['name'] !== 'string') throw invalidArgument(`outputs[${i}] must be an object with a "name"`);
    return o['name'];
  });
  return { ...(id !== undefined && { id }), outputs: names };
}

/** 'json': the response object; 'text': its JSON already written (in time slices), as text or UTF-8 bytes. */
export type EncodedResponse = { kind: 'json'; body: unknown } | { kind: 'text'; body: string | Buffer } | { kind: 'binary'; body: Buffer; headerLength: number };

/** A tensor's bytes as the extension carries them (exported for the v2 backend, a client of this format). */
export function tensorBytes(t: Tensor): Buffer {
  if (t.dtype === 'string') {
    // Sized first, then written in place: one allocation instead of one per element.
    const strings = t.data as string[];
    let size = 0;
    for (const s of strings) size += 4 + Buffer.byteLength(s, 'utf8');
    const out = Buffer.allocUnsafe(size);
    let at = 0;
    for (const s of strings) {
      const written = out.write(s, at + 4, 'utf8');
      out.writeUInt32LE(written, at);
      at += 4 + written;
    }
    return out;
  }
  const data = t.data as Exclude<TensorData, string[]>;
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * The infer response: outputs wanted binary carry `parameters.binary_data_size` instead of
 * `data`, and their bytes follow the JSON header in output order. Without any, it is the
 * JSON codec's response unchanged.
 */
export function encodeV2InferResponse(
  model: string,
  version: number,
  id: string | undefined,
  tensors: NamedTensors,
  order: readonly string[],
  binaryOutput: (name: string) => boolean,
): EncodedResponse {
  const returned = order.filter((name) => tensors[name]);
  const asJson = returned.filter((name) => !binaryOutput(name));
  const json = encodeInferResponse(model, version, id, tensors, asJson);
  if (asJson.length === returned.length) return { kind: 'json', body: json };
  const inJson = new Map(json.outputs.map((o) => [o.name, o]));
  const tails: Buffer[] = [];
  const outputs = returned.map((name) => {
    const fromJson = inJson.get(name);
    if (fromJson) return fromJson;
    const t = tensors[name]!;
    const bytes = tensorBytes(t);
    tails.push(bytes);
    return { name, datatype: v2Datatype(t.dtype), shape: t.shape, parameters: { binary_data_size: bytes.length } };
  });
  const header = Buffer.from(JSON.stringify({ ...json, outputs }), 'utf8');
  return { kind: 'binary', body: Buffer.concat([header, ...tails]), headerLength: header.length };
}

/**
 * encodeV2InferResponse with checkpoints: an all-JSON answer is written as text in pieces
 * (inferResponseTextSteps); one with binary outputs is mostly bytes, copied in one go.
 */
export function* encodeV2InferResponseSteps(
  model: string,
  version: number,
  id: string | undefined,
  tensors: NamedTensors,
  order: readonly string[],
  binaryOutput: (name: string) => boolean,
  /** Text as UTF-8 bytes (a large answer: see asBytes). */
  bytes = false,
): Steps<EncodedResponse> {
  const returned = order.filter((name) => tensors[name]);
  if (returned.some(binaryOutput)) return encodeV2InferResponse(model, version, id, tensors, order, binaryOutput);
  const text = inferResponseTextSteps(model, version, id, tensors, returned);
  return { kind: 'text', body: bytes ? yield* asBytes(text) : yield* text };
}

/** Any infer body: binary when the header is present (the body is then raw bytes), else JSON. */
export function decodeV2InferBody(body: unknown, headerLength: string | undefined, signature: InferSignature): V2Request {
  return runSteps(decodeV2InferBodySteps(body, headerLength, signature));
}

/** decodeV2InferBody with checkpoints in the JSON decode, for a large body's time slices. */
export function* decodeV2InferBodySteps(body: unknown, headerLength: string | undefined, signature: InferSignature): Steps<V2Request> {
  if (headerLength !== undefined && Buffer.isBuffer(body)) return decodeBinaryInferRequest(body, headerLength, signature);
  return { request: yield* decodeInferRequestSteps(body, signature), binaryOutput: binaryOutputChoice(body) };
}
