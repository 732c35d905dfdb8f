import { readFile } from 'node:fs/promises';
import protobuf from 'protobufjs';

/**
 * The categories an ONNX model's one-hot encoders know, by graph input: a scikit-learn
 * pipeline exported with skl2onnx carries them in its OneHotEncoder nodes (`cats_strings`),
 * so the API docs can list them without anyone writing them down. Only encoders that read a
 * graph input directly count; anything else is left undocumented rather than guessed.
 *
 * Reads the protobuf by field number (ModelProto.graph = 7, GraphProto.node = 1, NodeProto
 * input = 1 / op_type = 4 / attribute = 5, AttributeProto name = 1 / strings = 9) instead of
 * loading onnx.proto: four fields are all this needs.
 */
type Visit = (field: number, reader: protobuf.Reader, wireType: number) => void;

function eachField(bytes: Uint8Array, visit: Visit): void {
  const reader = protobuf.Reader.create(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const before = reader.pos;
    visit(tag >>> 3, reader, tag & 7);
    if (reader.pos === before) reader.skipType(tag & 7);
  }
}

interface NodeInfo {
  op: string;
  inputs: string[];
  strings: Map<string, string[]>;
}

function readNode(bytes: Uint8Array): NodeInfo {
  const node: NodeInfo = { op: '', inputs: [], strings: new Map() };
  eachField(bytes, (field, r, wire) => {
    if (field === 1 && wire === 2) node.inputs.push(r.string());
    else if (field === 4 && wire === 2) node.op = r.string();
    else if (field === 5 && wire === 2) {
      let name = '';
      const values: string[] = [];
      eachField(r.bytes(), (f, ar, w) => {
        if (f === 1 && w === 2) name = ar.string();
        else if (f === 9 && w === 2) values.push(ar.string());
      });
      node.strings.set(name, values);
    }
  });
  return node;
}

export function onnxCategories(model: Uint8Array): Map<string, string[]> {
  let graph: Uint8Array | undefined;
  eachField(model, (field, r, wire) => {
    if (field === 7 && wire === 2) graph = r.bytes();
  });
  const found = new Map<string, string[]>();
  if (!graph) return found;
  const inputs = new Set<string>();
  const nodes: NodeInfo[] = [];
  eachField(graph, (field, r, wire) => {
    if (field === 1 && wire === 2) nodes.push(readNode(r.bytes()));
    // GraphProto.input = 11 (ValueInfoProto, whose name is field 1)
    else if (field === 11 && wire === 2) eachField(r.bytes(), (f, vr, w) => void (f === 1 && w === 2 && inputs.add(vr.string())));
  });
  for (const node of nodes) {
    const cats = node.strings.get('cats_strings');
    const input = node.inputs[0];
    if (node.op === 'OneHotEncoder' && cats?.length && input !== undefined && inputs.has(input)) found.set(input, cats);
  }
  return found;
}

/** The categories of an ONNX file; none when it is not there or not readable (docs are best effort). */
export async function onnxFileCategories(path: string): Promise<Map<string, string[]>> {
  try {
    return onnxCategories(await readFile(path));
  } catch {
    return new Map();
  }
}
