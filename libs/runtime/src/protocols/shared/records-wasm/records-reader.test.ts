/**
 * The WebAssembly records reader gives exactly the tensors of the usual path (JSON.parse →
 * readScoreRequest → recordTable → recordsToTensors) on the real penguins model's bodies,
 * and accepts nothing the usual path would refuse: on a body it does not read it gives
 * undefined, and get_score then reads the body the usual way.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { signatureOf } from '../../../backends/onnx/ort-convert.js';
import type { InputConfig } from '../../../config/schema.js';
import { recordTable } from '../../../features/record-table.js';
import { recordsToTensors } from '../../../features/records-to-tensors.js';
import type { NamedTensors, Signature } from '../../../tensor/tensor.js';
import { loadReference, WORKSPACE_MODELS } from '../../../testing/fixtures.js';
import { LARGE_BODY_BYTES } from '../../../threads/time-slices.js';
import { readScoreRequest } from '../../legacy/codec.js';
import { bodyText, parseJsonBody } from '../body.js';
import { readRecordsWasm } from './records-reader.js';
import { seededRandom } from '../../../testing/seeded-random.js';

let penguins: Signature;
let inputs: InputConfig[];
let records: Record<string, unknown>[];

beforeAll(async () => {
  penguins = signatureOf(await ort.InferenceSession.create(join(WORKSPACE_MODELS, 'penguins', '2', 'model.onnx')));
  inputs = (JSON.parse(await readFile(join(WORKSPACE_MODELS, 'penguins', 'model.json'), 'utf8')) as { inputs: InputConfig[] }).inputs;
  records = (await loadReference('penguins', 2)).records;
}, 60_000);

const wasm = (text: string, signature = penguins, configs = inputs) => readRecordsWasm(Buffer.from(text, 'utf8'), signature, configs);
// The text as the server reads it: from the body's UTF-8 bytes (a lone surrogate in `text` becomes U+FFFD).
const usual = (text: string, signature = penguins, configs = inputs) =>
  recordsToTensors(recordTable(readScoreRequest(parseJsonBody(bodyText(Buffer.from(text, 'utf8'), undefined)))), signature, configs);

/** Plain arrays for toStrictEqual, keeping the storage type (Float32Array vs string[]) and -0 in the comparison. */
const plain = (tensors: NamedTensors) =>
  Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, { dtype: t.dtype, shape: t.shape, type: t.data.constructor.name, data: Array.from(t.data as ArrayLike<unknown>, (v) => (Object.is(v, -0) ? '-0' : v)) }]));

/** The usual path's tensors, or the error it answers with. */
function usualOrError(text: string): NamedTensors | Error {
  try {
    return usual(text);
  } catch (err) {
    return err as Error;
  }
}

/** Numbers whose float32 rounding, sign or digits a shortcut could get wrong. */
const TRICKY_NUMBERS = ['0.1', '45.1', '-0', '-0.0', '0', '0e5', '1e-40', '3.4028234663852886e38', '1.17549435e-38', '1.1754942e-38', '0.30000000000000004', '123456789012345678', '9007199254740993', '1E5', '2.5e-7', '1e22', '1e23', '1e-23', '4.35', '0.000001', '17.99999999999999999999', '-123.456e-2', '0.29592669010162354', '100000000000000000000000000001', '0.0000000000000000000000000123'];
const STRINGS = ['Biscoe', 'Dream', 'Torgersen', 'MALE', 'FEMALE', 'Dréam', '🐧', '', 'a much longer category name, over thirty-two bytes long', 'x\u2028y'];

/** The numbers at and around a float32 rounding boundary, written with 17 significant digits: those the module must leave to Number(). */
function midpointNumbers(next: () => number, count: number): string[] {
  const out: string[] = [];
  const f32 = new Float32Array(2);
  const bits = new Uint32Array(f32.buffer);
  for (let i = 0; i < count; i++) {
    f32[0] = (next() - 0.5) * 10 ** Math.floor(next() * 12 - 6);
    bits[1] = bits[0]! + 1;
    const midpoint = (f32[0]! + f32[1]!) / 2;
    const text = midpoint.toPrecision(17);
    // The midpoint itself and its neighbours one unit away in the 17th digit.
    const [mantissa, exponent = ''] = text.split('e');
    const last = Number(mantissa!.at(-1));
    out.push(text, `${mantissa!.slice(0, -1)}${(last + 1) % 10}${exponent ? `e${exponent}` : ''}`, midpoint.toPrecision(16), String(midpoint));
  }
  return out;
}

describe('the WebAssembly records reader', () => {
  it('the same tensors as the usual path on the reference records, whitespace, field order and tricky numbers and strings', () => {
    const rows = records.map((r, i) => {
      const fields = Object.entries(r).map(([k, v]) => `${JSON.stringify(k)}${i % 7 ? '' : ' '}:${i % 5 ? '' : '\n\t '}${JSON.stringify(v)}`);
      if (i % 3 === 0) fields.reverse();
      return `{${fields.join(i % 4 ? ',' : ' ,\r\n')}}`;
    });
    TRICKY_NUMBERS.forEach((n, i) =>
      rows.push(`{"Island": ${JSON.stringify(STRINGS[i % STRINGS.length])}, "Beak Length (mm)": ${n}, "Beak Depth (mm)": ${n.startsWith('-') ? n.slice(1) : `-${n}`}, "Flipper Length (mm)": ${n}, "Body Mass (g)": null, "Sex": ${JSON.stringify(STRINGS[(i + 3) % STRINGS.length])}}`),
    );
    const text = ` {"data" : [${rows.join(', ')}] }\n`;
    const read = wasm(text);
    expect(read).toBeDefined();
    expect(plain(read!)).toStrictEqual(plain(usual(text)));
    expect(read!['bill_length_mm']!.data).toBeInstanceOf(Float32Array);
    expect(Number.isNaN((read!['body_mass_g']!.data as Float32Array)[records.length])).toBe(true);
    expect((read!['island']!.data as string[]).includes('🐧')).toBe(true);
  });

  it('numbers at a float32 rounding boundary come out as Math.fround(JSON.parse(text))', () => {
    // 240 numbers, about half of them left to Number(): within what one body may leave (256).
    const numbers = midpointNumbers(seededRandom(7), 60);
    const text = JSON.stringify({ data: numbers.map((n, i) => ({ ...records[i % records.length], 'Beak Length (mm)': 0 })) }).replace(/"Beak Length \(mm\)":0/g, () => `"Beak Length (mm)":${numbers.shift()}`);
    const read = wasm(text)!;
    expect(read).toBeDefined();
    expect(plain(read)).toStrictEqual(plain(usual(text)));
  });

  it('strings seen before (intern slots) stay right across bodies, slot collisions and a body it gave up on', () => {
    // 600 distinct short strings fill and collide in the 256 slots; each body reuses some.
    const names = Array.from({ length: 600 }, (_, i) => `c${(i * 7919) % 1000}`);
    const body = (from: number, n: number) => JSON.stringify({ data: Array.from({ length: n }, (_, i) => ({ ...records[i % records.length], Island: names[(from + i) % names.length], Sex: names[(from + 3 * i) % names.length] })) });
    for (let round = 0; round < 16; round++) {
      const text = body(round * 97, 150);
      expect(plain(wasm(text)!)).toStrictEqual(plain(usual(text)));
      // Now and then a body given up on after filling slots: the next must not read what it left.
      if (round % 4 === 3) expect(wasm(`${body(round * 31 + 5, 40).slice(0, -2)},{"Island": 5}]}`)).toBeUndefined();
    }
  });

  it('a body larger than the memory so far grows it', () => {
    const text = JSON.stringify({ data: Array.from({ length: 1800 }, (_, i) => records[i % records.length]) });
    expect(text.length).toBeGreaterThan(200_000);
    expect(text.length).toBeLessThan(LARGE_BODY_BYTES);
    expect(plain(wasm(text)!)).toStrictEqual(plain(usual(text)));
  });

  it.each([
    ['an escape in a string', (b: string) => b.replace('"Torgersen"', '"Torg\\u0065rsen"')],
    ['an escape in a key', (b: string) => b.replace('"Island"', '"Isl\\u0061nd"')],
    ['a field no input reads', (b: string) => b.replace('"Island"', '"id":1,"Island"')],
    ['a record without a field', (b: string) => b.replace('"Sex":"FEMALE"', '"Sexx":"FEMALE"')],
    ['a string in a number field', (b: string) => b.replace('"Beak Length (mm)":39.1', '"Beak Length (mm)":"39.1"')],
    ['true in a number field', (b: string) => b.replace('"Beak Length (mm)":39.1', '"Beak Length (mm)":true')],
    ['a number beyond float32', (b: string) => b.replace('"Beak Length (mm)":39.1', '"Beak Length (mm)":1e39')],
    ['a NaN token', (b: string) => b.replace('"Beak Length (mm)":39.1', '"Beak Length (mm)":NaN')],
    ['a number in a string field', (b: string) => b.replace('"Island":"Torgersen"', '"Island":7')],
    ['a list in a number field', (b: string) => b.replace('"Beak Length (mm)":39.1', '"Beak Length (mm)":[39.1]')],
    ['a record that is not an object', (b: string) => b.replace('"data":[', '"data":[[1, 2], ')],
    ['a leading zero', (b: string) => b.replace('"Beak Length (mm)":39.1', '"Beak Length (mm)":039.1')],
    ['a bare decimal point', (b: string) => b.replace('"Beak Length (mm)":39.1', '"Beak Length (mm)":39.')],
    ['a plus sign', (b: string) => b.replace('"Beak Length (mm)":39.1', '"Beak Length (mm)":+39.1')],
    ['a trailing comma', (b: string) => b.replace(/\]\}$/, ',]}')],
    ['a truncated body', (b: string) => b.slice(0, -40)],
    ['no records', () => '{"data": []}'],
    ['another top-level key', (b: string) => b.replace(/\}$/, ',"x":1}')],
    ['columns instead of records', () => JSON.stringify({ data: { Island: ['Biscoe'] } })],
    ['text after the body', (b: string) => `${b} x`],
    ['a NUL byte after the body', (b: string) => `${b}\u0000`],
    ['a byte-order mark', (b: string) => `\ufeff${b}`],
    ['a control character in a string', (b: string) => b.replace('"Torgersen"', '"Torg\tersen"')],
    ['a duplicate field (JSON.parse keeps the last)', (b: string) => b.replace('"Sex":"FEMALE"', '"Sex":5,"Sex":"FEMALE"')],
  ])('%s: not read here (the usual path decides)', (_name, change) => {
    const valid = JSON.stringify({ data: records.slice(0, 50) });
    expect(wasm(valid)).toBeDefined();
    const text = change(valid);
    expect(text).not.toBe(valid);
    expect(wasm(text)).toBeUndefined();
  });

  it('a model it does not read: another dtype, a nested input, a field two inputs share', () => {
    const text = JSON.stringify({ data: [{ a: 1, b: 2 }] });
    const of = (inputs: Signature['inputs']): Signature => ({ inputs, outputs: [] });
    expect(wasm(text, of([{ name: 'a', dtype: 'float32', shape: [-1, 1] }, { name: 'b', dtype: 'float32', shape: [-1, 1] }]), [])).toBeDefined();
    expect(wasm(text, of([{ name: 'a', dtype: 'int64', shape: [-1, 1] }]), [])).toBeUndefined();
    expect(wasm(text, of([{ name: 'a', dtype: 'float64', shape: [-1, 1] }]), [])).toBeUndefined();
    expect(wasm(text, of([{ name: 'a', dtype: 'float32', shape: [-1, 2, 2] }]), [])).toBeUndefined();
    expect(wasm(text, of([{ name: 'x', dtype: 'float32', shape: [-1, 1] }, { name: 'y', dtype: 'float32', shape: [-1, 1] }]), [{ name: 'x', field: 'a' }, { name: 'y', field: 'a' }])).toBeUndefined();
  });

  it('several fields into one input (config fields) as the usual path puts them', () => {
    const signature: Signature = { inputs: [{ name: 'xy', dtype: 'float32', shape: [-1, 2] }, { name: 'k', dtype: 'string', shape: [-1, 1] }], outputs: [] };
    const configs: InputConfig[] = [{ name: 'xy', fields: ['x', 'y'] }];
    const text = JSON.stringify({ data: [{ k: 'a', y: 2, x: 1 }, { x: 3, y: null, k: null }] });
    expect(plain(wasm(text, signature, configs)!)).toStrictEqual(plain(usual(text, signature, configs)));
  });

  it('fuzz: 3,000 mutated bodies, each either read as the usual path reads it or left to it; never one the usual path refuses', () => {
    const next = seededRandom(2026);
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
    const numberText = () =>
      pick([() => String(Math.round((next() - 0.5) * 1e4) / 10), () => String((next() - 0.5) * 10 ** Math.floor(next() * 80 - 40)), () => pick(TRICKY_NUMBERS), () => (next() * 1e3).toExponential(Math.floor(next() * 20)), () => 'null'])();
    const stringText = () => (next() < 0.1 ? 'null' : JSON.stringify(pick(STRINGS)));
    const fields = Object.values(inputs).map((c) => ({ key: c.field!, string: penguins.inputs.find((s) => s.name === c.name)!.dtype === 'string' }));
    const MUTATIONS = ['"', '\\', ',', ':', '{', '}', '[', ']', 'n', '-', '.', 'e', '0', ' ', '\u0000', 'é'];
    let read = 0;
    let refused = 0;
    for (let n = 0; n < 3000; n++) {
      const rows = Array.from({ length: 1 + Math.floor(next() * 6) }, () => {
        const members = fields.map((f) => `"${f.key}":${f.string ? stringText() : numberText()}`);
        if (next() < 0.3) members.sort(() => next() - 0.5);
        return `{${members.join(',')}}`;
      });
      let text = `{"data":[${rows.join(',')}]}`;
      // Half the bodies get one byte changed, inserted or removed.
      if (next() < 0.5) {
        const at = Math.floor(next() * text.length);
        const op = next();
        text = op < 0.33 ? text.slice(0, at) + pick(MUTATIONS) + text.slice(at + 1) : op < 0.66 ? text.slice(0, at) + pick(MUTATIONS) + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
      }
      const got = wasm(text);
      const want = usualOrError(text);
      if (want instanceof Error) refused++;
      if (got === undefined) continue;
      read++;
      if (want instanceof Error) throw new Error(`read a body the usual path refuses (${want.message}): ${text}`);
      expect(plain(got), text).toStrictEqual(plain(want));
    }
    // Both sides of the test were exercised.
    expect(read).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(300);
  }, 60_000);
});
