/**
 * An ONNX ModelProto read into plain objects: the graph's nodes, attributes, initializers,
 * inputs and outputs. Field numbers are onnx.proto's (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto);
 * fields this reader does not know are skipped here and refused by compile-graph.ts when
 * they change what a graph means (functions, sparse or external initializers, subgraphs).
 */
import { ARRAY_TYPES, type DType, type Tensor, type TensorSpec } from '../../../tensor/tensor.js';
import { ProtobufReader, WIRE } from './protobuf-reader.js';

/** TensorProto.DataType → our dtype; absent ones (float16, bfloat16, complex) are not served. */
const ELEM_TYPES: Record<number, DType> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
};
function dtypeOfCode(code: number): DType | undefined {
  return ELEM_TYPES[code];
}

export interface OnnxAttribute {
  name: string;
  f?: number;
  i?: bigint;
  s?: string;
  t?: Tensor;
  floats: number[];
  ints: bigint[];
  strings: string[];
  /** A subgraph, a sparse tensor, a type or a reference to a function's attribute: never interpreted. */
  unsupported?: string;
}

export interface OnnxNode {
  name: string;
  opType: string;
  /** '' for the default ai.onnx domain. */
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
}

/** A graph input or output: a tensor's spec, or why it is something else. */
export type OnnxValue = { name: string; spec: TensorSpec } | { name: string; unsupported: string };

export interface OnnxModel {
  /** opset version by domain ('' is ai.onnx). */
  opsets: Map<string, number>;
  nodes: OnnxNode[];
  initializers: Map<string, Tensor>;
  inputs: OnnxValue[];
  outputs: OnnxValue[];
  /** Parts of the model the interpreter would have to understand to run it, in words. */
  unsupported: string[];
}

export function readOnnxModel(bytes: Uint8Array): OnnxModel {
  const model: OnnxModel = { opsets: new Map(), nodes: [], initializers: new Map(), inputs: [], outputs: [], unsupported: [] };
  const r = new ProtobufReader(bytes);
  let sawGraph = false;
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 7 && wire === WIRE.LENGTH) {
      readGraph(r.message(), model);
      sawGraph = true;
    } else if (field === 8 && wire === WIRE.LENGTH) {
      const { domain, version } = readOpset(r.message());
      model.opsets.set(domain === 'ai.onnx' ? '' : domain, version);
    } else if (field === 25 && wire === WIRE.LENGTH) {
      r.skip(wire);
      model.unsupported.push('model-local functions');
    } else r.skip(wire);
  }
  if (!sawGraph) throw new Error('the file holds no ONNX graph');
  return model;
}

function readOpset(r: ProtobufReader): { domain: string; version: number } {
  let domain = '';
  let version = 0;
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE.LENGTH) domain = r.string();
    else if (field === 2 && wire === WIRE.VARINT) version = r.varint();
    else r.skip(wire);
  }
  return { domain, version };
}

function readGraph(r: ProtobufReader, model: OnnxModel): void {
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (wire !== WIRE.LENGTH) {
      r.skip(wire);
      continue;
    }
    if (field === 1) model.nodes.push(readNode(r.message()));
    else if (field === 5) {
      const t = readTensor(r.message());
      if ('unsupported' in t) model.unsupported.push(`initializer "${t.name}": ${t.unsupported}`);
      else model.initializers.set(t.name, t.tensor);
    } else if (field === 11) model.inputs.push(readValueInfo(r.message()));
    else if (field === 12) model.outputs.push(readValueInfo(r.message()));
    else if (field === 15) {
      r.skip(wire);
      model.unsupported.push('sparse initializers');
    } else r.skip(wire);
  }
}

function readNode(r: ProtobufReader): OnnxNode {
  const node: OnnxNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: new Map() };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (wire !== WIRE.LENGTH) r.skip(wire);
    else if (field === 1) node.inputs.push(r.string());
    else if (field === 2) node.outputs.push(r.string());
    else if (field === 3) node.name = r.string();
    else if (field === 4) node.opType = r.string();
    else if (field === 7) node.domain = r.string();
    else if (field === 5) {
      const a = readAttribute(r.message());
      node.attributes.set(a.name, a);
    } else r.skip(wire);
  }
  if (node.domain === 'ai.onnx') node.domain = '';
  return node;
}

function readAttribute(r: ProtobufReader): OnnxAttribute {
  const a: OnnxAttribute = { name: '', floats: [], ints: [], strings: [] };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE.LENGTH) a.name = r.string();
    else if (field === 2 && wire === WIRE.FIXED32) a.f = r.float();
    else if (field === 3 && wire === WIRE.VARINT) a.i = r.int64();
    else if (field === 4 && wire === WIRE.LENGTH) a.s = r.string();
    else if (field === 5 && wire === WIRE.LENGTH) {
      const t = readTensor(r.message());
      if ('unsupported' in t) a.unsupported = t.unsupported;
      else a.t = t.tensor;
    } else if (field === 7) r.repeated(wire, (p) => p.float(), a.floats);
    else if (field === 8) r.repeated(wire, (p) => p.int64(), a.ints);
    else if (field === 9 && wire === WIRE.LENGTH) a.strings.push(r.string());
    else if (field === 6 || field === 10 || field === 11 || field === 12 || field === 13 || field === 14 || field === 21) {
      r.skip(wire);
      a.unsupported = field === 21 ? 'a reference to a function attribute' : 'a subgraph, sparse tensor or type';
    } else r.skip(wire);
  }
  return a;
}

type ReadTensor = { name: string; tensor: Tensor } | { name: string; unsupported: string };

function readTensor(r: ProtobufReader): ReadTensor {
  const dims: number[] = [];
  let code = 0;
  let name = '';
  let raw: Uint8Array | undefined;
  let external = false;
  const floats: number[] = [];
  const int32s: number[] = [];
  const int64s: bigint[] = [];
  const doubles: number[] = [];
  const uint64s: bigint[] = [];
  const strings: string[] = [];
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1) r.repeated(wire, (p) => p.varint(), dims);
    else if (field === 2 && wire === WIRE.VARINT) code = r.varint();
    else if (field === 4) r.repeated(wire, (p) => p.float(), floats);
    else if (field === 5) r.repeated(wire, (p) => Number(p.int64()), int32s);
    else if (field === 6 && wire === WIRE.LENGTH) strings.push(r.string());
    else if (field === 7) r.repeated(wire, (p) => p.int64(), int64s);
    else if (field === 8 && wire === WIRE.LENGTH) name = r.string();
    else if (field === 9 && wire === WIRE.LENGTH) raw = r.bytesField();
    else if (field === 10) r.repeated(wire, (p) => p.double(), doubles);
    else if (field === 11) r.repeated(wire, (p) => BigInt.asUintN(64, p.int64()), uint64s);
    else if (field === 14 && wire === WIRE.VARINT) external = r.varint() === 1;
    else r.skip(wire);
  }
  const dtype = dtypeOfCode(code);
  if (!dtype) return { name, unsupported: `element type ${code} is not served` };
  if (external) return { name, unsupported: 'its data is in an external file' };
  const count = dims.reduce((a, b) => a * b, 1);
  let data: Tensor['data'];
  if (dtype === 'string') data = strings;
  else {
    const Type = ARRAY_TYPES[dtype];
    if (raw) {
      // Copied out: raw_data sits at any offset in the file, and typed arrays need alignment.
      const copy = new Uint8Array(raw.byteLength);
      copy.set(raw);
      data = new Type(copy.buffer, 0, raw.byteLength / Type.BYTES_PER_ELEMENT);
    } else if (dtype === 'float32') data = Float32Array.from(floats);
    else if (dtype === 'float64') data = Float64Array.from(doubles);
    else if (dtype === 'int64') data = BigInt64Array.from(int64s);
    else if (dtype === 'uint64' || dtype === 'uint32') data = dtype === 'uint64' ? BigUint64Array.from(uint64s) : Uint32Array.from(uint64s, Number);
    else data = (Type as Int32ArrayConstructor).from(int32s);
  }
  if (data.length !== count) return { name, unsupported: `holds ${data.length} values for dims [${dims.join(', ')}]` };
  return { name, tensor: { dtype, shape: dims, data } };
}

function readValueInfo(r: ProtobufReader): OnnxValue {
  let name = '';
  let spec: TensorSpec | string = 'it has no type';
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE.LENGTH) name = r.string();
    else if (field === 2 && wire === WIRE.LENGTH) spec = readType(r.message(), name);
    else r.skip(wire);
  }
  if (typeof spec === 'string') return { name, unsupported: spec };
  return { name, spec: { ...spec, name } };
}

function readType(r: ProtobufReader, name: string): TensorSpec | string {
  let spec: TensorSpec | string = 'it is not a tensor (sequences and maps are not served)';
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE.LENGTH) spec = readTensorType(r.message(), name);
    else r.skip(wire);
  }
  return spec;
}

function readTensorType(r: ProtobufReader, name: string): TensorSpec | string {
  let code = 0;
  let shape: number[] | null = null;
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE.VARINT) code = r.varint();
    else if (field === 2 && wire === WIRE.LENGTH) shape = readShape(r.message());
    else r.skip(wire);
  }
  const dtype = dtypeOfCode(code);
  if (!dtype) return `element type ${code} is not served`;
  return { name, dtype, shape };
}

/** Dimensions: a fixed size, or -1 for a symbolic or absent one (as signatureOf writes them). */
function readShape(r: ProtobufReader): number[] {
  const dims: number[] = [];
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field !== 1 || wire !== WIRE.LENGTH) {
      r.skip(wire);
      continue;
    }
    const d = r.message();
    let size = -1;
    while (!d.done()) {
      const t = d.tag();
      if (t.field === 1 && t.wire === WIRE.VARINT) size = d.varint();
      else d.skip(t.wire);
    }
    dims.push(size);
  }
  return dims;
}
