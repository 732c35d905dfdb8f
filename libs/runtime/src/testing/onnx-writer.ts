/**
 * Small ONNX models written from a description, for tests that need a graph no example
 * model has (an attribute, an operator form) and compare modelyard's interpreter with a
 * real onnxruntime session of the same bytes. Writes the protobuf wire format directly;
 * field numbers are onnx.proto's.
 */
export type AttrValue = { f: number } | { i: number } | { s: string } | { floats: number[] } | { ints: number[] } | { strings: string[] };

export interface NodeSpec {
  op: string;
  domain?: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
}

/** ONNX element types: 1 float, 7 int64, 8 string, 11 double. */
export interface ValueSpec {
  name: string;
  elemType: number;
  /** A number is a fixed size, a string a symbolic one ("N"). */
  dims: (number | string)[];
}

export interface InitializerSpec {
  name: string;
  elemType: 1 | 7 | 11;
  dims: number[];
  values: number[];
}

export interface GraphSpec {
  /** Domain ('' for ai.onnx) → opset version. */
  opsets: Record<string, number>;
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  initializers?: InitializerSpec[];
  nodes: NodeSpec[];
}

const utf8 = new TextEncoder();

function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}

const key = (field: number, wire: number) => varint(field * 8 + wire);
const int = (field: number, n: number | bigint) => [...key(field, 0), ...varint(n)];
const bytes = (field: number, b: ArrayLike<number>) => [...key(field, 2), ...varint(b.length), ...Array.from(b)];
const text = (field: number, s: string) => bytes(field, utf8.encode(s));
const floatBytes = (values: number[]) => Array.from(new Uint8Array(Float32Array.from(values).buffer));

function attribute(name: string, value: AttrValue): number[] {
  const out = text(1, name);
  if ('f' in value) out.push(...key(2, 5), ...floatBytes([value.f]), ...int(20, 1));
  else if ('i' in value) out.push(...int(3, value.i), ...int(20, 2));
  else if ('s' in value) out.push(...text(4, value.s), ...int(20, 3));
  else if ('floats' in value) out.push(...bytes(7, floatBytes(value.floats)), ...int(20, 6));
  else if ('ints' in value) out.push(...bytes(8, value.ints.flatMap((v) => varint(v))), ...int(20, 7));
  else out.push(...value.strings.flatMap((s) => text(9, s)), ...int(20, 8));
  return out;
}

function node(spec: NodeSpec, index: number): number[] {
  return [
    ...spec.inputs.flatMap((i) => text(1, i)),
    ...spec.outputs.flatMap((o) => text(2, o)),
    ...text(3, `node${index}`),
    ...text(4, spec.op),
    ...Object.entries(spec.attrs ?? {}).flatMap(([n, v]) => bytes(5, attribute(n, v))),
    ...(spec.domain ? text(7, spec.domain) : []),
  ];
}

function valueInfo(spec: ValueSpec): number[] {
  const dims = spec.dims.flatMap((d) => bytes(1, typeof d === 'number' ? int(1, d) : text(2, d)));
  const tensorType = [...int(1, spec.elemType), ...bytes(2, dims)];
  return [...text(1, spec.name), ...bytes(2, bytes(1, tensorType))];
}

function initializer(spec: InitializerSpec): number[] {
  const data =
    spec.elemType === 1
      ? bytes(4, floatBytes(spec.values))
      : spec.elemType === 7
        ? bytes(7, spec.values.flatMap((v) => varint(v)))
        : bytes(10, Array.from(new Uint8Array(Float64Array.from(spec.values).buffer)));
  return [...spec.dims.flatMap((d) => int(1, d)), ...int(2, spec.elemType), ...text(8, spec.name), ...data];
}

export function onnxModelBytes(spec: GraphSpec): Uint8Array {
  const graph = [
    ...spec.nodes.flatMap((n, i) => bytes(1, node(n, i))),
    ...text(2, 'test'),
    ...(spec.initializers ?? []).flatMap((t) => bytes(5, initializer(t))),
    ...spec.inputs.flatMap((v) => bytes(11, valueInfo(v))),
    ...spec.outputs.flatMap((v) => bytes(12, valueInfo(v))),
  ];
  const opsets = Object.entries(spec.opsets).flatMap(([domain, version]) => bytes(8, [...text(1, domain), ...int(2, version)]));
  return Uint8Array.from([...int(1, 8), ...opsets, ...bytes(7, graph)]);
}
