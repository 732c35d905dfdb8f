import type { InputConfig } from '../../../config/schema.js';
import { perSignatureAndInputs } from '../../../features/input-plans.js';
import { fieldsFor, itemShape } from '../../../features/records-to-tensors.js';
import { fastObject } from '../../../tensor/fast-object.js';
import { overflowsFloat32 } from '../../../tensor/float-range.js';
import type { NamedTensors, Signature, Tensor } from '../../../tensor/tensor.js';
import { align16, WasmInstance, type BaseExports } from '../../../wasm/wasm-instance.js';
import { RECORDS_READER_WASM } from './records-reader.wasm.js';

/**
 * A `{"data": [records]}` body straight from its bytes into the model's input tensors, in
 * WebAssembly (libs/runtime/assembly/records-reader.ts), for models whose inputs are all
 * float32 or string columns. It gives the tensors recordTable → recordsToTensors would give
 * for the same body, or undefined for any body it does not read (and the caller reads it the
 * usual way, which words every error as it always did).
 *
 * JSON.parse builds a JS object per record and a string per key and value, then records →
 * tensors walks them; this makes none of them. 100 records of 32 fields: ~60 µs against ~260
 * (docs/benchmarks/hotpath.md, session 8).
 */

// The module's layout constants (assembly/records-reader.ts says what each holds).
const FIELD_INTS = 6;
const SPAN_INTS = 4;
const HARD_INTS = 3;
const NEW_INTS = 3;
const SLOTS = 256;
const SLOT_BYTES = 40;
/** Numbers one body may leave to Number(): beyond that the body goes the usual way. */
const HARD_MAX = 256;
/** Zero bytes after the body and after each key: the module reads up to 16 bytes past a token. */
const SLACK = 16;

interface Exports extends BaseExports {
  read(at: number, length: number, schema: number, fields: number, topKey: number, topKeyLength: number, stamps: number, floats: number, spans: number, rowsCapacity: number, hardList: number, hardMax: number, slots: number, newList: number): number;
  hardNumbers(): number;
  newStrings(): number;
  forgetStrings(slots: number): void;
}

/** What one (signature, input config) needs the module to read, worked out once. */
interface ReaderPlan {
  fields: number;
  /** The schema as the module reads it, key offsets relative to the start of `keys`. */
  schema: Int32Array;
  /** Every key's UTF-8 bytes, each followed by its closing quote and zero bytes. */
  keys: Uint8Array;
  /** Each input: where its values start in its kind's area (in rows × width elements) and its width. */
  inputs: { name: string; string: boolean; start: number; width: number }[];
  floatWidth: number;
  stringWidth: number;
  /** The fewest bytes a record can take (`"key":0,` per field): bounds the rows in a body. */
  minRecordBytes: number;
}

const TOP_KEY = Buffer.from('data"');

/** Undefined for a model the module does not read: another dtype, a nested input, a field two inputs share, a key JSON would escape. */
function makePlan(signature: Signature, configs: readonly InputConfig[]): ReaderPlan | undefined {
  const byName = new Map(configs.map((c) => [c.name, c]));
  const schema: number[] = [];
  const keyParts: Buffer[] = [];
  const seen = new Set<string>();
  const inputs: ReaderPlan['inputs'] = [];
  let keyBytes = 0;
  let floatWidth = 0;
  let stringWidth = 0;
  let minRecordBytes = 1;
  for (const spec of signature.inputs) {
    if (spec.dtype !== 'float32' && spec.dtype !== 'string') return undefined;
    const fields = fieldsFor(spec, byName.get(spec.name));
    const item = itemShape(spec, fields);
    if (item.length !== 1 || item[0] !== fields.length) return undefined;
    const string = spec.dtype === 'string';
    const start = string ? stringWidth : floatWidth;
    inputs.push({ name: spec.name, string, start, width: fields.length });
    if (string) stringWidth += fields.length;
    else floatWidth += fields.length;
    for (let place = 0; place < fields.length; place++) {
      const field = fields[place]!;
      // eslint-disable-next-line no-control-regex
      if (seen.has(field) || /["\\\u0000-\u001f]/.test(field)) return undefined;
      seen.add(field);
      const key = Buffer.from(field, 'utf8');
      schema.push(keyBytes, key.length, string ? 1 : 0, start, fields.length, place);
      keyParts.push(key, Buffer.from('"'), Buffer.alloc(SLACK));
      keyBytes += key.length + 1 + SLACK;
      minRecordBytes += key.length + 5;
    }
  }
  if (schema.length === 0) return undefined;
  return { fields: seen.size, schema: Int32Array.from(schema), keys: Buffer.concat(keyParts), inputs, floatWidth, stringWidth, minRecordBytes };
}

const planFor = perSignatureAndInputs(makePlan);

/** The module, the places it keeps between calls, and the strings of its intern slots. */
class RecordsReader {
  private readonly wasm = new WasmInstance<Exports>(RECORDS_READER_WASM);
  private readonly slots: number;
  private readonly newList: number;
  private readonly topKey: number;
  private readonly free: number;
  /** The string each intern slot holds, as the module's slots say. */
  private readonly strings: string[] = new Array<string>(SLOTS).fill('');

  constructor() {
    let at = this.wasm.free;
    this.slots = at;
    at += SLOTS * SLOT_BYTES;
    this.newList = at;
    at += SLOTS * NEW_INTS * 4;
    this.topKey = at;
    this.free = align16(at + TOP_KEY.length + SLACK);
    this.wasm.ensure(this.free);
    this.wasm.bytes.set(TOP_KEY, this.topKey);
    this.wasm.exports.forgetStrings(this.slots);
  }

  read(body: Buffer, signature: Signature, plan: ReaderPlan): NamedTensors | undefined {
    // Places, in order: schema, keys, stamps, numbers left to JS, the body, float columns, spans.
    const rowsCapacity = Math.floor(body.length / plan.minRecordBytes) + 1;
    const schema = this.free;
    const keys = schema + plan.schema.length * 4;
    const stamps = align16(keys + plan.keys.length);
    const hardList = stamps + plan.fields * 4;
    const at = align16(hardList + HARD_MAX * HARD_INTS * 4);
    const floats = align16(at + body.length + SLACK);
    const spans = floats + plan.floatWidth * rowsCapacity * 4;
    const { wasm } = this;
    wasm.ensure(spans + plan.stringWidth * rowsCapacity * SPAN_INTS * 4);
    const { bytes, ints } = wasm;
    ints.set(plan.schema, schema >> 2);
    for (let f = 0; f < plan.fields; f++) ints[(schema >> 2) + f * FIELD_INTS]! += keys;
    bytes.set(plan.keys, keys);
    bytes.set(body, at);
    bytes.fill(0, at + body.length, floats);
    const rows = wasm.exports.read(at, body.length, schema, plan.fields, this.topKey, TOP_KEY.length - 1, stamps, floats, spans, rowsCapacity, hardList, HARD_MAX, this.slots, this.newList);
    if (rows === 0) {
      // Slots it filled were never decoded here: empty them all rather than trust them.
      if (wasm.exports.newStrings() > 0) wasm.exports.forgetStrings(this.slots);
      return undefined;
    }
    this.takeNewStrings(body);
    if (!this.takeHardNumbers(body, hardList)) return undefined;
    // One copy of every float column: the module's memory is the next request's.
    const floatData = plan.floatWidth > 0 ? wasm.floats.slice(floats >> 2, (floats >> 2) + plan.floatWidth * rowsCapacity) : undefined;
    const tensors = fastObject<Tensor>(signature.inputs);
    for (const input of plan.inputs) {
      const count = rows * input.width;
      const data = input.string
        ? this.stringColumn(body, spans, input.start * rowsCapacity, count)
        : floatData!.subarray(input.start * rowsCapacity, input.start * rowsCapacity + count);
      tensors[input.name] = { dtype: input.string ? 'string' : 'float32', shape: [rows, input.width], data };
    }
    return tensors;
  }

  /** Decodes the strings the module put into intern slots in this call, once each. */
  private takeNewStrings(body: Buffer): void {
    const n = this.wasm.exports.newStrings();
    const { ints } = this.wasm;
    const base = this.newList >> 2;
    for (let k = 0; k < n; k++) {
      const start = ints[base + k * NEW_INTS + 1]!;
      this.strings[ints[base + k * NEW_INTS]!] = body.toString('utf8', start, start + ints[base + k * NEW_INTS + 2]!);
    }
  }

  /** Numbers the module could not prove its float32 of: Number() of their text, as JSON.parse reads it. False on one float32 cannot hold. */
  private takeHardNumbers(body: Buffer, hardList: number): boolean {
    const n = this.wasm.exports.hardNumbers();
    const { ints, floats } = this.wasm;
    for (let k = 0, e = hardList >> 2; k < n; k++, e += HARD_INTS) {
      const value = Number(body.toString('latin1', ints[e + 1]!, ints[e + 2]!));
      if (overflowsFloat32(value)) return false;
      floats[ints[e]! >> 2] = value;
    }
    return true;
  }

  /** One string input's values, from their spans: "" for null, an intern slot's string, or the span decoded. */
  private stringColumn(body: Buffer, spans: number, first: number, count: number): string[] {
    const out = new Array<string>(count);
    const { ints } = this.wasm;
    for (let i = 0, s = (spans >> 2) + first * SPAN_INTS; i < count; i++, s += SPAN_INTS) {
      const length = ints[s + 1]!;
      const slot = ints[s + 2]!;
      if (length < 0) out[i] = '';
      else if (slot >= 0) out[i] = this.strings[slot]!;
      else out[i] = body.toString(ints[s + 3] ? 'utf8' : 'latin1', ints[s]!, ints[s]! + length);
    }
    return out;
  }
}

let reader: RecordsReader | undefined;

/**
 * The body's records as the model's input tensors, or undefined when this reader does not
 * read this model or this body. The module is compiled on first use (~3 KB, ~1 ms), so a
 * server that never sees such a body never holds it.
 */
export function readRecordsWasm(body: Buffer, signature: Signature, configs: readonly InputConfig[]): NamedTensors | undefined {
  const plan = planFor(signature, configs);
  if (!plan) return undefined;
  reader ??= new RecordsReader();
  return reader.read(body, signature, plan);
}
