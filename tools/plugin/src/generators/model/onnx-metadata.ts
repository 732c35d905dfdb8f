/**
 * The metadata_props of an ONNX model (ModelProto field 14: repeated {key = 1, value = 2}),
 * read straight off the protobuf wire format: onnxruntime-node does not expose them, and
 * only this one top-level field is needed, so a full ONNX schema would be overkill.
 */

class Reader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint');
      const byte = this.buf[this.pos++]!;
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
      shift += 7;
      if (shift > 63) throw new Error('varint too long');
    }
  }

  bytes(): Uint8Array {
    const length = this.varint();
    if (this.pos + length > this.buf.length) throw new Error('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
  }
}

const METADATA_PROPS = 14;
const decoder = new TextDecoder();

export function readOnnxMetadata(model: Uint8Array): Record<string, string> {
  const props: Record<string, string> = {};
  const reader = new Reader(model);
  try {
    while (!reader.done) {
      const tag = reader.varint();
      const field = Math.floor(tag / 8);
      const wireType = tag % 8;
      if (field !== METADATA_PROPS || wireType !== 2) {
        reader.skip(wireType);
        continue;
      }
      const entry = new Reader(reader.bytes());
      let key = '';
      let value = '';
      while (!entry.done) {
        const t = entry.varint();
        if (t === (1 << 3) + 2) key = decoder.decode(entry.bytes());
        else if (t === (2 << 3) + 2) value = decoder.decode(entry.bytes());
        else entry.skip(t % 8);
      }
      props[key] = value;
    }
  } catch (err) {
    throw new Error(`cannot read the ONNX model's metadata: ${(err as Error).message}`);
  }
  return props;
}
