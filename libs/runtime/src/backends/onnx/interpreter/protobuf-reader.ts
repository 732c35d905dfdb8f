/**
 * Protocol Buffers wire format, read only: enough to walk an ONNX ModelProto field by
 * field. The ONNX schema itself lives in onnx-model.ts; this knows only tags, varints and
 * length-delimited fields (https://protobuf.dev/programming-guides/encoding/).
 */
export const WIRE = { VARINT: 0, FIXED64: 1, LENGTH: 2, FIXED32: 5 } as const;

const UTF8 = new TextDecoder();

export class ProtobufReader {
  private pos: number;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** The next field's number and wire type. */
  tag(): { field: number; wire: number } {
    const key = this.varint();
    return { field: Math.floor(key / 8), wire: key % 8 };
  }

  /** A varint as a JS number: exact up to 2^53, which every size and count here is. */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.bytes[this.pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
      if (scale > 2 ** 63) throw new Error('varint longer than 10 bytes');
    }
  }

  /** A varint as a signed 64-bit integer (int64 fields: negatives are ten bytes long). */
  int64(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.bytes[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asIntN(64, result);
      shift += 7n;
      if (shift > 63n) throw new Error('varint longer than 10 bytes');
    }
  }

  float(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  double(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A length-delimited field's bytes (a view, not a copy). */
  bytesField(): Uint8Array {
    const length = this.varint();
    this.need(length);
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  string(): string {
    return UTF8.decode(this.bytesField());
  }

  /** A reader over an embedded message. */
  message(): ProtobufReader {
    const length = this.varint();
    this.need(length);
    const sub = new ProtobufReader(this.bytes, this.pos, this.pos + length);
    this.pos += length;
    return sub;
  }

  /** Repeated scalars arrive packed (one length-delimited run) or one per tag: read either. */
  repeated<T>(wire: number, one: (r: ProtobufReader) => T, into: T[]): void {
    if (wire !== WIRE.LENGTH) {
      into.push(one(this));
      return;
    }
    const packed = this.message();
    while (!packed.done()) into.push(one(packed));
  }

  skip(wire: number): void {
    if (wire === WIRE.VARINT) this.varint();
    else if (wire === WIRE.FIXED64) this.advance(8);
    else if (wire === WIRE.LENGTH) this.advance(this.varint());
    else if (wire === WIRE.FIXED32) this.advance(4);
    else throw new Error(`wire type ${wire} is not supported`);
  }

  private advance(n: number): void {
    this.need(n);
    this.pos += n;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new Error('truncated message');
  }
}
