/**
 * `"getScore": {"coerce": "pandas"}` against what pandas + scikit-learn really do: the cases
 * and their answers come from tools/models/pandas_coercions.py (run with Debian's pandas
 * and scikit-learn), then the penguins model over HTTP with stringly-typed records.
 */
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServingError } from '../errors.js';
import { createModelServer, type ModelServer } from '../server/model-server.js';
import type { DType, Signature } from '../tensor/tensor.js';
import { copyModel, loadReference, silentLogger, type Reference } from '../testing/fixtures.js';
import { pythonFloat, pythonFloatRepr } from './coerce-pandas.js';
import { recordTable } from './record-table.js';
import { recordsToTensors } from './records-to-tensors.js';

interface Fixture {
  numeric: ({ json: string; value: number | 'nan' | 'inf' | '-inf' } | { json: string; error: string })[];
  categorical: { records: string; dtype: string; strings: (string | null)[] }[];
}
const fixture = JSON.parse(readFileSync(new URL('./coerce-pandas.fixture.json', import.meta.url), 'utf8')) as Fixture;

/** The fixture's JSON texts may hold the NaN/Infinity tokens callers send. */
const readJson = (text: string): unknown => (/^-?(NaN|Infinity)$/.test(text) ? Number(text) : JSON.parse(text));
const fromFixture = (v: number | string) => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number));
const signature = (dtype: DType, name: string): Signature => ({ inputs: [{ name, dtype, shape: [-1, 1] }], outputs: [] });

describe('numeric fields read as float() reads them', () => {
  it.each(fixture.numeric.map((c) => [c.json, c] as const))('%s', (_json, c) => {
    const table = recordTable([{ v: readJson(c.json) }]);
    if ('error' in c) {
      expect(() => recordsToTensors(table, signature('float64', 'v'), [], 'pandas')).toThrow(ServingError);
      expect(() => recordsToTensors(table, signature('float64', 'v'), [], 'pandas')).toThrow(/field "v" of record 0/);
      return;
    }
    const tensors = recordsToTensors(table, signature('float64', 'v'), [], 'pandas');
    expect(tensors['v']!.data[0]).toBe(fromFixture(c.value));
  });

  it('stays strict without the opt-in, naming the field', () => {
    expect(() => recordsToTensors(recordTable([{ v: '12.3' }]), signature('float32', 'v'))).toThrow('field "v" of record 0 must be a number or null, got the string "12.3"');
  });
});

describe('categorical fields get str() of what the DataFrame column holds', () => {
  it.each(fixture.categorical.map((c) => [c.records, c] as const))('%s', (_records, c) => {
    const tensors = recordsToTensors(recordTable(JSON.parse(c.records)), signature('string', 'c'), [], 'pandas');
    expect(tensors['c']!.data).toEqual(c.strings.map((s) => s ?? ''));
  });
});

describe('Python float text', () => {
  it('reads and writes floats as Python does', () => {
    expect(pythonFloat(' 1_000.5e1_0 ')).toBe(1000.5e10);
    expect(pythonFloat('1e')).toBeUndefined();
    for (const [x, text] of [[1e22, '1e+22'], [1e15, '1000000000000000.0'], [-0.0001, '-0.0001'], [0.00012345, '0.00012345'], [-2.5e-5, '-2.5e-05'], [5e-324, '5e-324'], [1.7976931348623157e308, '1.7976931348623157e+308']] as const) {
      expect(pythonFloatRepr(x)).toBe(text);
    }
  });
});

describe('/get_score with the opt-in, penguins v1 against scikit-learn', () => {
  let server: ModelServer;
  let strict: ModelServer;
  let ref: Reference;
  beforeAll(async () => {
    ref = await loadReference('penguins', 1);
    const opts = { models: ['penguins'], logger: silentLogger() };
    server = await createModelServer({ ...opts, modelsDir: await copyModel('penguins', [1], { getScore: { output: 'label', coerce: 'pandas' } }) });
    strict = await createModelServer({ ...opts, modelsDir: await copyModel('penguins', [1], { getScore: { output: 'label' } }) });
  });
  afterAll(async () => {
    await server?.close();
    await strict?.close();
  });

  const NUMERIC = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];
  /** Every number as a string, some padded with spaces, as a Python caller's str() columns. */
  const stringly = (records: Record<string, unknown>[]) =>
    records.map((r, i) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, NUMERIC.includes(k) && v !== null ? (i % 2 ? ` ${v} ` : String(v)) : v])));

  it('scores numeric strings as the old pandas service did: the same labels as scikit-learn', async () => {
    const records = ref.records.slice(0, 60);
    const res = await request(server.app).post('/get_score').send({ data: stringly(records) });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual((ref.outputs['label'] as string[]).slice(0, 60));
  });

  it('takes booleans as 1/0 and an integer category as its string form', async () => {
    const record = ref.records.find((r) => r['Sex'] !== null)!;
    const res = await request(server.app)
      .post('/get_score')
      .send({ data: [{ ...record, 'Body Mass (g)': true }, { ...record, 'Body Mass (g)': 1 }, { ...record, Sex: 1 }, { ...record, Sex: '1' }] });
    expect(res.status).toBe(200);
    expect(res.body.data[0]).toBe(res.body.data[1]);
    expect(res.body.data[2]).toBe(res.body.data[3]);
  });

  it('refuses what pandas refuses, naming the field', async () => {
    const res = await request(server.app).post('/get_score').send({ data: [{ ...ref.records[0], 'Body Mass (g)': '12,3' }] });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('field "Body Mass (g)" of record 0 must be a number');
  });

  it('stays strict by default', async () => {
    const res = await request(strict.app).post('/get_score').send({ data: stringly(ref.records.slice(0, 1)) });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('field "Beak Length (mm)" of record 0 must be a number or null');
  });

  it('keeps the TF Serving API strict even with the opt-in', async () => {
    const res = await request(server.app)
      .post('/v1/models/penguins:predict')
      .send({ instances: [{ island: 'Dream', bill_length_mm: '46.5', bill_depth_mm: 17.9, flipper_length_mm: 192, body_mass_g: 3500, sex: 'FEMALE' }] });
    expect(res.status).toBe(400);
  });
});
