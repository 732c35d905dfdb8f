/**
 * A `{"<key>": [records]}` JSON body read straight into tensor storage, compiled to
 * WebAssembly (AssemblyScript; `npm run build:wasm` writes the module the runtime loads,
 * src/protocols/shared/records-wasm/records-reader.wasm.ts). It reads the one shape the
 * legacy get_score callers send: an array of flat records whose every field is a number or
 * null for a float32 input, a string or null for a string input. Anything else (escapes,
 * unknown or missing or repeated fields, other types, invalid JSON) returns 0, and the
 * runtime reads the body the usual way, which words every error as it always did.
 *
 * It makes no JS values: a float32 field's number goes into its column, a string field's
 * place in the body (or the intern slot of a string seen before) into a span list, and the
 * JS side (records-reader.ts) builds the tensors from those. Numbers come out as
 * Math.fround(JSON.parse(text)) would make them; those it cannot prove so are listed for
 * the JS side to read with Number().
 *
 * Every address is chosen by the JS side; the body and every key are followed by at least
 * 8 zero bytes, so reads never need a bounds check: a zero byte is no JSON token.
 */

/** A field of the schema: 6 × i32. */
const FIELD_BYTES: usize = 24;
// Offsets within a field: its key's bytes (followed by the closing quote) and their count;
// 0 for a float32 field, 1 for a string; the element where its input starts in its area
// (per row: the input's width, and the field's place in that width).
const KEY_AT = 0;
const KEY_LENGTH = 4;
const KIND = 8;
const INPUT_START = 12;
const WIDTH = 16;
const PLACE = 20;

/** A string's span: 4 × i32: where its bytes start (from the body's start), how many (-1: null), its intern slot or -1, 1 if not ASCII. */
const SPAN_BYTES: usize = 16;
/** A number read by the JS side: 3 × i32: the float32's address, its text's start and end (from the body's start). */
const HARD_BYTES: usize = 12;

/** Short strings (categories) seen before are not decoded again: 256 slots of up to 32 bytes. */
const SLOTS: u32 = 256;
const SLOT_BYTES: usize = 40; // length (i32, -1 empty), epoch (i32), 32 bytes
const SLOT_MAX: i32 = 32;
/** A slot filled in this call: its number and its string's span (3 × i32), for the JS side to decode once. */
const NEW_BYTES: usize = 12;

const POW10: usize = memory.data<f64>([1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]);
/** The smallest normal float32 and the first value float32 rounds to Infinity. */
const FLOAT32_NORMAL: f64 = 1.1754943508222875e-38;
const FLOAT32_OVERFLOW: f64 = 3.4028235677973366e38;

let pos: usize = 0;
let body: usize = 0;
let bodyEnd: usize = 0;
let hardAt: usize = 0;
let hardCount: i32 = 0;
let hardCapacity: i32 = 0;
let slotsAt: usize = 0;
let newAt: usize = 0;
let newCount: i32 = 0;
let epoch: i32 = 0;

/** Numbers the last call left to the JS side. */
export function hardNumbers(): i32 {
  return hardCount;
}

/** Intern slots the last call filled. */
export function newStrings(): i32 {
  return newCount;
}

/** Where the JS side may start placing things. */
export function heapBase(): usize {
  return __heap_base;
}

/** Empties every intern slot (after a call the JS side did not take: its new slots were never decoded). */
export function forgetStrings(slots: usize): void {
  for (let s: u32 = 0; s < SLOTS; s++) store<i32>(slots + <usize>s * SLOT_BYTES, -1);
}

function isSpace(c: u32): bool {
  return c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09;
}

/** The next byte after whitespace (0 at the end). */
function next(): u32 {
  let p = pos;
  let c: u32 = load<u8>(p);
  while (isSpace(c)) c = load<u8>(++p);
  pos = p;
  return c;
}

function isDigit(c: u32): bool {
  return c - 0x30 < 10;
}

/**
 * The number at `pos` as a float32 at `out`; false if it is not one this reader takes.
 * Up to 15 digits and a power of ten within 22, digits × or ÷ the power is one correctly
 * rounded operation on exact operands: JSON.parse's own double (Clinger's fast path). With
 * more digits the same operation is within 3 units in the last place of the exact value,
 * and JSON.parse's double within half of one, so both round to the same float32 unless
 * they sit within a few units of a point halfway between two float32s; such numbers, and
 * those too small for a normal float32, are left to the JS side.
 */
function number(out: usize): bool {
  let p = pos;
  const start = p;
  let negative = false;
  let c: u32 = load<u8>(p);
  if (c == 0x2d) {
    negative = true;
    c = load<u8>(++p);
  }
  let mantissa: u64 = 0;
  let digits: i32 = 0;
  let exponent: i32 = 0;
  if (c == 0x30) c = load<u8>(++p);
  else if (c - 0x31 < 9) {
    while (isDigit(c)) {
      // Past 19 digits (what a u64 holds) only the magnitude counts.
      if (digits < 19) {
        mantissa = mantissa * 10 + <u64>(c - 0x30);
        digits++;
      } else exponent++;
      c = load<u8>(++p);
    }
  } else return false;
  if (c == 0x2e) {
    c = load<u8>(++p);
    if (!isDigit(c)) return false;
    while (isDigit(c)) {
      if (mantissa == 0 && c == 0x30) exponent--;
      else if (digits < 19) {
        mantissa = mantissa * 10 + <u64>(c - 0x30);
        digits++;
        exponent--;
      }
      c = load<u8>(++p);
    }
  }
  if (c == 0x65 || c == 0x45) {
    c = load<u8>(++p);
    let negativeExponent = false;
    if (c == 0x2b || c == 0x2d) {
      negativeExponent = c == 0x2d;
      c = load<u8>(++p);
    }
    if (!isDigit(c)) return false;
    let e: i32 = 0;
    while (isDigit(c)) {
      if (e < 100000) e = e * 10 + <i32>(c - 0x30);
      c = load<u8>(++p);
    }
    exponent += negativeExponent ? -e : e;
  }
  pos = p;
  let v: f64 = 0;
  if (mantissa != 0) {
    if (exponent < -22 || exponent > 22) return hard(out, start, p);
    const m = <f64>mantissa;
    v = exponent < 0 ? m / load<f64>(POW10 + (<usize>-exponent << 3)) : m * load<f64>(POW10 + (<usize>exponent << 3));
    if (digits > 15) {
      // The 29 bits float32 drops: how far v is from halfway, in units of the double's last place.
      const fromHalf = <i64>(reinterpret<u64>(v) & 0x1fffffff) - 0x10000000;
      if ((fromHalf < 8 && fromHalf > -8) || v < FLOAT32_NORMAL) return hard(out, start, p);
    }
    // Too large for float32: the usual path refuses it in its own words.
    if (v >= FLOAT32_OVERFLOW) return false;
  }
  store<f32>(out, <f32>(negative ? -v : v));
  return true;
}

function hard(out: usize, start: usize, end: usize): bool {
  if (hardCount >= hardCapacity) return false;
  const h = hardAt + <usize>hardCount * HARD_BYTES;
  store<i32>(h, <i32>out);
  store<i32>(h, <i32>(start - body), 4);
  store<i32>(h, <i32>(end - body), 8);
  hardCount++;
  return true;
}

/** The string at `pos` (after its opening quote) into the span at `out`; false on an escape or a control character. */
function string(out: usize): bool {
  const start = pos;
  let p = start;
  let hash: u32 = 2166136261;
  let high: u32 = 0;
  let c: u32 = load<u8>(p);
  while (c != 0x22) {
    if (c == 0x5c || c < 0x20) return false;
    high |= c;
    hash = (hash ^ c) * 16777619;
    c = load<u8>(++p);
  }
  const length = <i32>(p - start);
  pos = p + 1;
  store<i32>(out, <i32>(start - body));
  store<i32>(out, length, 4);
  store<i32>(out, high >> 7, 12);
  store<i32>(out, length <= SLOT_MAX ? intern(start, length, hash) : -1, 8);
  return true;
}

/**
 * The slot holding these bytes, filled now if it held other bytes that this call has not
 * used; -1 if this call uses it for others. (A slot keeps one string for a whole call: the JS
 * side reads every span after the call, with the slots' strings as the call left them.)
 */
function intern(start: usize, length: i32, hash: u32): i32 {
  const slot = (hash ^ (hash >> 8) ^ (hash >> 16)) & (SLOTS - 1);
  const at = slotsAt + <usize>slot * SLOT_BYTES;
  if (load<i32>(at) == length && memory.compare(at + 8, start, <usize>length) == 0) {
    store<i32>(at, epoch, 4);
    return <i32>slot;
  }
  if (load<i32>(at, 4) == epoch) return -1;
  store<i32>(at, length);
  store<i32>(at, epoch, 4);
  memory.copy(at + 8, start, <usize>length);
  const n = newAt + <usize>newCount * NEW_BYTES;
  store<i32>(n, <i32>slot);
  store<i32>(n, <i32>(start - body), 4);
  store<i32>(n, length, 8);
  newCount++;
  return <i32>slot;
}

/**
 * Reads the body at `at` (`length` bytes) with the schema at `schema` (`fields` fields, the
 * top-level key at `topKey`), float32 columns from `floats` and spans from `spans`, each
 * input `rowsCapacity` rows apart. `stamps` has room for one i32 per field, `hardList` for
 * `hardMax` numbers, `newList` for SLOTS new strings. The record count, or 0.
 */
export function read(at: usize, length: i32, schema: usize, fields: i32, topKey: usize, topKeyLength: i32, stamps: usize, floats: usize, spans: usize, rowsCapacity: i32, hardList: usize, hardMax: i32, slots: usize, newList: usize): i32 {
  body = at;
  bodyEnd = at + <usize>length;
  pos = at;
  hardAt = hardList;
  hardCount = 0;
  hardCapacity = hardMax;
  slotsAt = slots;
  newAt = newList;
  newCount = 0;
  epoch++;
  for (let f = 0; f < fields; f++) store<i32>(stamps + (<usize>f << 2), -1);
  if (next() != 0x7b) return 0;
  pos++;
  if (next() != 0x22 || !sameKey(pos + 1, topKey, topKeyLength)) return 0;
  pos += 2 + <usize>topKeyLength;
  if (next() != 0x3a) return 0;
  pos++;
  if (next() != 0x5b) return 0;
  pos++;
  let rows: i32 = 0;
  // The field expected next: records usually list their fields in one order.
  let expected: i32 = 0;
  while (true) {
    if (rows >= rowsCapacity) return 0;
    if (next() != 0x7b) return 0;
    pos++;
    let found: i32 = 0;
    while (true) {
      if (next() != 0x22) return 0;
      const key = pos + 1;
      let f = expected < fields ? expected : 0;
      let tries: i32 = 0;
      let field: usize = schema + <usize>f * FIELD_BYTES;
      while (!sameKey(key, <usize>load<i32>(field, KEY_AT), load<i32>(field, KEY_LENGTH))) {
        if (++tries == fields) return 0;
        if (++f == fields) f = 0;
        field = schema + <usize>f * FIELD_BYTES;
      }
      pos = key + <usize>load<i32>(field, KEY_LENGTH) + 1;
      if (next() != 0x3a) return 0;
      pos++;
      const stamp = stamps + (<usize>f << 2);
      // A repeated field: JSON.parse keeps the last; left to the usual path.
      if (load<i32>(stamp) == rows) return 0;
      store<i32>(stamp, rows);
      found++;
      expected = f + 1;
      const element = load<i32>(field, INPUT_START) * rowsCapacity + rows * load<i32>(field, WIDTH) + load<i32>(field, PLACE);
      const isString = load<i32>(field, KIND) != 0;
      const c = next();
      if (c == 0x6e) {
        if (load<u32>(pos) != 0x6c6c756e) return 0; // null
        pos += 4;
        if (isString) {
          const span = spans + <usize>element * SPAN_BYTES;
          store<i32>(span, 0);
          store<i32>(span, -1, 4);
        } else store<f32>(floats + (<usize>element << 2), NaN);
      } else if (isString) {
        if (c != 0x22) return 0;
        pos++;
        if (!string(spans + <usize>element * SPAN_BYTES)) return 0;
      } else if (!number(floats + (<usize>element << 2))) return 0;
      const d = next();
      pos++;
      if (d == 0x7d) break;
      if (d != 0x2c) return 0;
    }
    if (found != fields) return 0;
    rows++;
    const d = next();
    pos++;
    if (d == 0x5d) break;
    if (d != 0x2c) return 0;
  }
  if (next() != 0x7d) return 0;
  pos++;
  next();
  return pos == bodyEnd ? rows : 0;
}

/** The key at `at` is `length` bytes equal to those at `key` and then its closing quote (which follows `key`'s bytes too): compared 8 bytes at a time. */
function sameKey(at: usize, key: usize, length: i32): bool {
  const n = <usize>length + 1;
  let i: usize = 0;
  while (i + 8 <= n) {
    if (load<u64>(at + i) != load<u64>(key + i)) return false;
    i += 8;
  }
  const rest = n - i;
  if (rest == 0) return true;
  const mask: u64 = (<u64>-1) >> ((8 - <u64>rest) << 3);
  return ((load<u64>(at + i) ^ load<u64>(key + i)) & mask) == 0;
}
