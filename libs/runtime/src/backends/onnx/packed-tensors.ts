import { ARRAY_TYPES, DTYPES, type DType, type NamedTensors, type TensorData } from '../../tensor/tensor.js';

/**
 * Named tensors in ONE ArrayBuffer, for the hop between the event loop and a worker thread
 * (issue 9). Posting `{name: {dtype, shape, data}}` objects made structured clone walk and
 * rebuild every object and copy or transfer one buffer per tensor: 32 one-column inputs cost
 * more than the model run. One buffer is transferred whole and read back as views into it.
 *
 * Layout, little-endian: a header of four u32 (kind, id, key, count), then per tensor
 *   u16 name length, name (UTF-8), u8 dtype, u8 rank, u32 × rank dims, u32 data bytes,
 *   padding to 8 (so every typed array view is aligned), data;
 * strings as u32 count, then per string u32 length + UTF-8. After the tensors, as such a list
 * of strings: a run's requested outputs (none: every output), a failure's error.
 */
export const enum Kind {
  Run = 1,
  Result = 2,
  Failed = 3,
  /** The worker holds no session under the key: the pool's problem, never the caller's. */
  Missing = 4,
}

const HEADER = 16;
const CODE = new Map<DType, number>(DTYPES.map((d, i) => [d, i]));

/** Views into the packed buffer, by dtype (the same typed arrays a Tensor holds). */
const ARRAY = ARRAY_TYPES as Record<Exclude<DType, 'string'>, { new (buffer: ArrayBuffer, byteOffset: number, length: number): Exclude<TensorData, string[]>; BYTES_PER_ELEMENT: number }>;

const align8 = (n: number) => (n + 7) & ~7;

/**
 * Short strings (names, categories) dominate a one-record request: a JS loop over ASCII is
 * several times cheaper than a call into Buffer's UTF-8 codec; anything else takes the codec.
 */
function utf8Length(s: string): number {
  if (s.length > 64) return Buffer.byteLength(s, 'utf8');
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return Buffer.byteLength(s, 'utf8');
  return s.length;
}

function writeString(bytes: Buffer, s: string, at: number): number {
  if (s.length > 64) return bytes.write(s, at, 'utf8');
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return bytes.write(s, at, 'utf8');
    bytes[at + i] = c;
  }
  return s.length;
}

/**
 * Short strings read lately, by a hash of their bytes: a string tensor mostly repeats a few
 * values (categories, labels), and a 260,000-row answer made a fresh string per row (~8 MB
 * of heap for three distinct labels; issue 8's memory bound for large bodies).
 */
const RECENT_SLOTS = 256;
const recent = new Array<string | undefined>(RECENT_SLOTS);

function readString(bytes: Buffer, start: number, end: number): string {
  if (end - start > 64) return bytes.toString('utf8', start, end);
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c > 0x7f) return bytes.toString('utf8', start, end);
    hash = Math.imul(hash ^ c, 0x01000193);
  }
  const slot = (hash >>> 0) % RECENT_SLOTS;
  const known = recent[slot];
  if (known !== undefined && known.length === end - start) {
    let i = 0;
    while (i < known.length && known.charCodeAt(i) === bytes[start + i]) i++;
    if (i === known.length) return known;
  }
  let out = '';
  for (let i = start; i < end; i++) out += String.fromCharCode(bytes[i]!);
  recent[slot] = out;
  return out;
}

export interface Packed {
  kind: Kind;
  id: number;
  key: number;
  tensors: NamedTensors;
  outputs?: string[];
  error?: string;
}

/** The strings after the tensors: a run's requested outputs (none: all), a failure's error. */
function trailer(kind: Kind, extra?: { outputs?: readonly string[]; error?: string }): readonly string[] | undefined {
  if (kind === Kind.Run) return extra?.outputs ?? [];
  if (kind === Kind.Failed || kind === Kind.Missing) return [extra?.error ?? ''];
  return undefined;
}

function dataBytes(data: TensorData): number {
  if (Array.isArray(data)) {
    let n = 4 + 4 * data.length;
    for (const s of data) n += utf8Length(s);
    return n;
  }
  return (data as ArrayBufferView).byteLength;
}

/** Packs a message; the returned buffer is the caller's to transfer. */
export function pack(kind: Kind, id: number, key: number, tensors: NamedTensors, extra?: { outputs?: readonly string[]; error?: string }): ArrayBuffer {
  const names = Object.keys(tensors);
  let size = HEADER;
  for (const name of names) {
    const t = tensors[name]!;
    size = align8(size + 2 + utf8Length(name) + 2 + 4 * t.shape.length + 4) + dataBytes(t.data);
  }
  const strings = trailer(kind, extra);
  if (strings) size = align8(size) + dataBytes(strings as string[]);

  const buffer = new ArrayBuffer(align8(size));
  const view = new DataView(buffer);
  const bytes = Buffer.from(buffer);
  const out = new Destination(buffer, bytes, view);
  view.setUint32(0, kind, true);
  view.setUint32(4, id, true);
  view.setUint32(8, key, true);
  view.setUint32(12, names.length, true);
  let at = HEADER;
  for (const name of names) {
    const t = tensors[name]!;
    const nameLength = writeString(bytes, name, at + 2);
    view.setUint16(at, nameLength, true);
    at += 2 + nameLength;
    view.setUint8(at, CODE.get(t.dtype)!);
    view.setUint8(at + 1, t.shape.length);
    at += 2;
    for (const d of t.shape) {
      view.setUint32(at, d, true);
      at += 4;
    }
    const length = dataBytes(t.data);
    view.setUint32(at, length, true);
    at = align8(at + 4);
    at = writeData(t.dtype, t.data, out, at);
  }
  if (strings) writeData('string', strings as string[], out, align8(at));
  return buffer;
}

/**
 * Views over the whole message, one per element type, made when first needed: a typed
 * array's set() into one of them is a plain copy, without a new view per tensor.
 */
class Destination {
  private readonly views = new Map<Exclude<DType, 'string'>, Exclude<TensorData, string[]>>();
  constructor(
    readonly buffer: ArrayBuffer,
    readonly bytes: Buffer,
    readonly view: DataView,
  ) {}

  viewOf(dtype: Exclude<DType, 'string'>): Exclude<TensorData, string[]> {
    let v = this.views.get(dtype);
    if (!v) {
      const View = ARRAY[dtype];
      this.views.set(dtype, (v = new View(this.buffer, 0, this.buffer.byteLength / View.BYTES_PER_ELEMENT)));
    }
    return v;
  }
}

function writeData(dtype: DType, data: TensorData, out: Destination, at: number): number {
  const { bytes, view } = out;
  if (Array.isArray(data)) {
    view.setUint32(at, data.length, true);
    at += 4;
    for (const s of data) {
      const n = writeString(bytes, s, at + 4);
      view.setUint32(at, n, true);
      at += 4 + n;
    }
    return at;
  }
  const src = data as Exclude<TensorData, string[]>;
  // `at` is 8-aligned and the buffer's length a multiple of 8: a whole index for every element size.
  (out.viewOf(dtype as Exclude<DType, 'string'>) as unknown as { set(a: ArrayLike<unknown>, offset: number): void }).set(src, at / src.BYTES_PER_ELEMENT);
  return at + src.byteLength;
}

function readStrings(bytes: Buffer, view: DataView, at: number): string[] {
  const count = view.getUint32(at, true);
  at += 4;
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const n = view.getUint32(at, true);
    out[i] = readString(bytes, at + 4, at + 4 + n);
    at += 4 + n;
  }
  return out;
}

/** Reads a message back; numeric tensors are views into `buffer`, not copies. */
export function unpack(buffer: ArrayBuffer): Packed {
  const view = new DataView(buffer);
  const bytes = Buffer.from(buffer);
  const kind = view.getUint32(0, true) as Kind;
  const count = view.getUint32(12, true);
  const tensors: NamedTensors = {};
  let at = HEADER;
  for (let i = 0; i < count; i++) {
    const nameLength = view.getUint16(at, true);
    const name = readString(bytes, at + 2, at + 2 + nameLength);
    at += 2 + nameLength;
    const dtype = DTYPES[view.getUint8(at)]!;
    const rank = view.getUint8(at + 1);
    at += 2;
    const shape = new Array<number>(rank);
    let elements = 1;
    for (let r = 0; r < rank; r++) {
      shape[r] = view.getUint32(at, true);
      elements *= shape[r]!;
      at += 4;
    }
    const length = view.getUint32(at, true);
    at = align8(at + 4);
    const data = dtype === 'string' ? readStrings(bytes, view, at) : new ARRAY[dtype](buffer, at, elements);
    tensors[name] = { dtype, shape, data };
    at += length;
  }
  const packed: Packed = { kind, id: view.getUint32(4, true), key: view.getUint32(8, true), tensors };
  if (kind !== Kind.Result) {
    const strings = readStrings(bytes, view, align8(at));
    if (kind === Kind.Run) {
      if (strings.length > 0) packed.outputs = strings;
    } else packed.error = strings[0] ?? '';
  }
  return packed;
}
