/**
 * The large-body decoders (issue 8, finding 4) give exactly the tensors of the usual path
 * (JSON.parse → codec → records-to-tensors) on the real penguins and iris models' bodies,
 * and read nothing they are not sure of: on every bad body they give up (undefined), and
 * the endpoints then answer with the usual path's own 400 and message.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureOf } from '../../../backends/onnx/ort-convert.js';
import type { InputConfig } from '../../../config/schema.js';
import { recordTable } from '../../../features/record-table.js';
import { recordsToTensors } from '../../../features/records-to-tensors.js';
import type { ModelServer } from '../../../server/model-server.js';
import type { NamedTensors, Signature } from '../../../tensor/tensor.js';
import { loadReference, PENGUIN_INPUTS, startTestServer, WORKSPACE_MODELS } from '../../../testing/fixtures.js';
import { runSteps, LARGE_BODY_BYTES } from '../../../threads/time-slices.js';
import { readScoreRequest } from '../../legacy/codec.js';
import { recordsFromBytes } from '../../legacy/records-from-bytes.js';
import { parseTfServingBody } from '../../tfserving/json-parse.js';
import { predictRequestFromBytes } from '../../tfserving/predict-from-bytes.js';
import { decodePredictRequest, readSignatureName } from '../../tfserving/request.js';
import { decodeInferRequest } from '../../v2/codec.js';
import { inferRequestFromBytes } from '../../v2/infer-from-bytes.js';
import { parseJsonBody } from '../body.js';
import { attempt } from './columns.js';
import { thrown } from '../../../testing/thrown.js';

let penguins: Signature;
let iris: Signature;
let penguinInputs: InputConfig[];
let records: Record<string, unknown>[];
let server: ModelServer;

beforeAll(async () => {
  const sessionOf = (model: string, version: number) => ort.InferenceSession.create(join(WORKSPACE_MODELS, model, String(version), 'model.onnx'));
  penguins = signatureOf(await sessionOf('penguins', 2));
  iris = signatureOf(await sessionOf('iris', 1));
  penguinInputs = (JSON.parse(await readFile(join(WORKSPACE_MODELS, 'penguins', 'model.json'), 'utf8')) as { inputs: InputConfig[] }).inputs;
  records = (await loadReference('penguins', 2)).records;
  server = await startTestServer({ models: ['penguins', 'iris'] });
}, 60_000);
afterAll(() => server?.close());

const bytes = (text: string) => Buffer.from(text, 'utf8');
const fastRecords = (text: string) => runSteps(attempt(recordsFromBytes(bytes(text), penguins, penguinInputs)));
const usualRecords = (text: string) => recordsToTensors(recordTable(readScoreRequest(parseJsonBody(text))), penguins, penguinInputs);
const fastPredict = (text: string, signature: Signature) => runSteps(attempt(predictRequestFromBytes(bytes(text), signature)));
const fastInfer = (text: string, signature: Signature) => runSteps(attempt(inferRequestFromBytes(bytes(text), signature)));

/** Plain arrays for toStrictEqual, keeping the storage type (Float32Array vs string[]) in the comparison. */
const plain = (tensors: NamedTensors) =>
  Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, { dtype: t.dtype, shape: t.shape, type: t.data.constructor.name, data: Array.from(t.data as ArrayLike<unknown>) }]));

/** Numbers whose float32 rounding, sign or digits a shortcut could get wrong. */
const TRICKY_NUMBERS = ['0.1', '45.1', '-0', '-0.0', '1e-40', '3.4028234663852886e38', '1.17549435e-38', '0.30000000000000004', '123456789012345678', '9007199254740993', '1E5', '2.5e-7', '1e22', '1e23', '4.35', '0.000001', '17.99999999999999999999', '-123.456e-2'];
/** Strings JSON.parse decodes: escapes, unicode, a surrogate pair, U+2028. */
const TRICKY_STRINGS = ['"Bisc\\u006fe"', '"Dr\\u00e9am"', '"Dréam"', '"🐧 \\ud83d\\udc27"', '"say \\"hi\\"\\n\\t/\\/"', '"\u2028"', '""', '"a much longer category name, over thirty-two bytes long"'];

function legacyBody(): string {
  const rows = records.map((r, i) => {
    // A missing number as null or as the NaN token; a missing category as null.
    const fields = Object.entries(r).map(([k, v]) => `${JSON.stringify(k)}: ${v === null ? (i % 2 || k === 'Island' || k === 'Sex' ? 'null' : 'NaN') : JSON.stringify(v)}`);
    // Fields in another order, and fields no input reads (a nested one among them).
    if (i % 3 === 0) fields.reverse();
    if (i % 4 === 0) fields.push(`"id": ${i}`, '"note": {"tags": ["a", [1, {"b": null}]], "ok": true}', '"flag": false');
    return `{${fields.join(i % 5 ? ',' : ' ,\n\t')}}`;
  });
  TRICKY_NUMBERS.forEach((n, i) => rows.push(`{"Island": ${TRICKY_STRINGS[i % TRICKY_STRINGS.length]}, "Beak Length (mm)": ${n}, "Beak Depth (mm)": ${n.startsWith('-') ? n.slice(1) : `-${n}`}, "Flipper Length (mm)": ${n}, "Body Mass (g)": null, "Sex": ${TRICKY_STRINGS[(i + 3) % TRICKY_STRINGS.length]}}`));
  return ` {"other": [1, 2], "data": [${rows.join(', ')}] }\n`;
}

describe('legacy records → tensors, straight from the bytes', () => {
  it('the same tensors as the usual path on the reference records with NaN/null, float32 rounding, escapes and unicode', () => {
    const text = legacyBody();
    const fast = fastRecords(text);
    expect(fast).toBeDefined();
    expect(plain(fast!)).toStrictEqual(plain(usualRecords(text)));
    expect(fast!['bill_length_mm']!.data).toBeInstanceOf(Float32Array);
    expect(Number.isNaN((fast!['body_mass_g']!.data as Float32Array)[records.findIndex((r) => r['Body Mass (g)'] === null)])).toBe(true);
  });

  it('a large body: the same tensors, the repeated categories as one string each', () => {
    const many = Array.from({ length: 3000 }, (_, i) => records[i % records.length]!);
    const text = JSON.stringify({ data: many });
    expect(text.length).toBeGreaterThan(LARGE_BODY_BYTES);
    const fast = fastRecords(text)!;
    expect(plain(fast)).toStrictEqual(plain(usualRecords(text)));
    // Four categories ("" for a missing one), each a single string however often it comes.
    const islands = fast['island']!.data as string[];
    expect(new Set(islands).size).toBe(4);
  });

  it.each([
    ['a record without a field', (b: string) => b.replace('"Sex":"FEMALE"', '"Sexx":"FEMALE"')],
    ['a string in a number field', (b: string) => b.replace('"Beak Length (mm)":39.1', '"Beak Length (mm)":"39.1"')],
    ['a number beyond float32', (b: string) => b.replace('"Beak Length (mm)":39.1', '"Beak Length (mm)":1e39')],
    ['a number in a string field', (b: string) => b.replace('"Island":"Torgersen"', '"Island":7')],
    ['a record that is not an object', (b: string) => b.replace('"data":[', '"data":[[1, 2], ')],
    ['a trailing comma', (b: string) => b.replace(/\]\}$/, ',]}')],
    ['no records', () => '{"data": []}'],
    ['columns instead of records', () => JSON.stringify({ data: { Island: ['Biscoe'] } })],
    ['text after the body', (b: string) => `${b} x`],
    ['a duplicate field (JSON.parse keeps the last)', (b: string) => b.replace('"Sex":"FEMALE"', '"Sex":5,"Sex":"FEMALE"')],
  ])('%s: not read here (the usual path decides)', (_name, change) => {
    const valid = JSON.stringify({ data: records.slice(0, 50) });
    const text = change(valid);
    expect(text).not.toBe(valid);
    expect(fastRecords(text)).toBeUndefined();
  });
});

describe('TF Serving predict → tensors, straight from the bytes', () => {
  const complete = () => records.filter((r) => Object.values(r).every((v) => v !== null));
  const instance = (r: Record<string, unknown>, list: boolean) => Object.fromEntries(Object.entries(PENGUIN_INPUTS).map(([input, field]) => [input, list ? [r[field]] : r[field]]));

  it.each([
    ['rows of one-element lists', () => JSON.stringify({ instances: complete().map((r) => instance(r, true)) })],
    ['rows of scalars (squeezed)', () => JSON.stringify({ signature_name: 'serving_default', instances: complete().map((r) => instance(r, false)) })],
    ['columns of one-element lists', () => JSON.stringify({ inputs: Object.fromEntries(Object.entries(PENGUIN_INPUTS).map(([input, field]) => [input, complete().map((r) => [r[field]])])) })],
    ['columns of scalars, NaN tokens and tricky numbers', () => {
      const cols = Object.entries(PENGUIN_INPUTS).map(([input, field]) => {
        const values = complete().map((r) => JSON.stringify(r[field]));
        if (typeof complete()[0]![field] === 'number') values.push(...TRICKY_NUMBERS, 'NaN', '-Infinity');
        else values.push(...TRICKY_STRINGS, '"x"', '"y"');
        return `${JSON.stringify(input)}: [${values.join(',')}]`;
      });
      return `{"inputs": {${cols.join(', ')}}}`;
    }],
  ])('%s: the same request as the usual path', (_name, body) => {
    const text = body();
    const fast = fastPredict(text, penguins);
    expect(fast).toBeDefined();
    const usual = decodePredictRequest(parseTfServingBody(text), penguins);
    expect(fast!.signatureName ?? 'serving_default').toBe(readSignatureName(parseTfServingBody(text)));
    expect({ ...fast!.request, inputs: plain(fast!.request.inputs) }).toStrictEqual({ ...usual, inputs: plain(usual.inputs) });
  });

  it.each([
    ['iris rows as plain lists', JSON.stringify({ instances: [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3], [0.1, 1e-3, -0, 7]] })],
    ['iris columns given bare', JSON.stringify({ inputs: [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]] })],
    ['iris columns by name, another key beside', JSON.stringify({ inputs: { features: [[5.1, 3.5, 1.4, 0.2]], extra: { a: [1] } } })],
  ])('%s: the same request as the usual path', (_name, text) => {
    const fast = fastPredict(text, iris);
    expect(fast).toBeDefined();
    const usual = decodePredictRequest(parseTfServingBody(text), iris);
    expect({ ...fast!.request, inputs: plain(fast!.request.inputs) }).toStrictEqual({ ...usual, inputs: plain(usual.inputs) });
  });

  it.each([
    ['null (TF Serving takes none)', '{"instances": [{"island": ["Biscoe"], "bill_length_mm": [null], "bill_depth_mm": [1], "flipper_length_mm": [1], "body_mass_g": [1], "sex": ["MALE"]}]}'],
    ['rows of different lengths', '{"instances": [[1, 2, 3, 4], [1, 2, 3]]}'],
    ['an unknown input', '{"instances": [{"features": [1, 2, 3, 4], "other": 1}]}'],
    ['a missing input', '{"instances": [{"island": ["Biscoe"]}]}'],
    ['both inputs and instances', '{"inputs": [[1, 2, 3, 4]], "instances": [[1, 2, 3, 4]]}'],
    ['a b64 value', '{"instances": [{"island": {"b64": "QmlzY29l"}, "bill_length_mm": [1], "bill_depth_mm": [1], "flipper_length_mm": [1], "body_mass_g": [1], "sex": ["MALE"]}]}'],
    ['a nested list', '{"inputs": [[[1, 2, 3, 4]]]}'],
    ['invalid JSON', '{"inputs": [[1, 2, 3, 4],]}'],
  ])('%s: not read here', (_name, text) => {
    const signature = text.includes('island') ? penguins : iris;
    expect(fastPredict(text, signature)).toBeUndefined();
  });
});

describe('v2 infer → tensors, straight from the bytes', () => {
  const v2Body = (n: number, nested: boolean) => {
    const pick = (i: number) => records[i % records.length]!;
    return JSON.stringify({
      id: 'q\u00e9 1',
      inputs: Object.entries(PENGUIN_INPUTS).map(([input, field]) => {
        const values = Array.from({ length: n }, (_, i) => pick(i)[field] ?? (input === 'island' || input === 'sex' ? '' : null));
        return { name: input, shape: [n, 1], datatype: input === 'island' || input === 'sex' ? 'BYTES' : 'FP32', data: nested ? values.map((v) => [v]) : values, extra: { skipped: [1, 2] } };
      }),
      outputs: [{ name: 'label' }, { name: 'probabilities' }],
    });
  };

  it.each([
    ['flat data with nulls', () => v2Body(records.length, false)],
    ['data nested as the shape', () => v2Body(records.length, true)],
    ['a large body', () => v2Body(40_000, false)],
    ['tricky numbers and strings, NaN, pretty-printed', () => {
      const data = [...TRICKY_NUMBERS, 'NaN', 'null'];
      const strings = [...TRICKY_STRINGS, '"x"', '"y"'];
      const inputs = Object.keys(PENGUIN_INPUTS).map((input) =>
        input === 'island' || input === 'sex'
          ? `{\n  "name": "${input}", "shape": [${strings.length}], "datatype": "BYTES",\n  "data": [${strings.join(', ')}]\n}`
          : `{"name": "${input}", "datatype": "FP32", "shape": [${data.length}], "data": [${data.join(',')}]}`,
      );
      return `{ "inputs" : [ ${inputs.join(' ,\n ')} ] }`;
    }],
  ])('%s: the same request as the usual path', (_name, body) => {
    const text = body();
    const fast = fastInfer(text, penguins);
    expect(fast).toBeDefined();
    const usual = decodeInferRequest(parseJsonBody(text), penguins);
    expect({ ...fast!, inputs: plain(fast!.inputs) }).toStrictEqual({ ...usual, inputs: plain(usual.inputs) });
  });

  it.each([
    ['more values than the shape holds', '{"inputs": [{"name": "features", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4, 5]}]}'],
    ['data nested deeper than the shape', '{"inputs": [{"name": "features", "shape": [4], "datatype": "FP32", "data": [[1, 2], [3, 4]]}]}'],
    ['a string for FP32', '{"inputs": [{"name": "features", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, "4"]}]}'],
    ['the wrong datatype', '{"inputs": [{"name": "features", "shape": [1, 4], "datatype": "FP64", "data": [1, 2, 3, 4]}]}'],
    ['an unknown input', '{"inputs": [{"name": "petals", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]}'],
    ['data before its datatype', '{"inputs": [{"name": "features", "shape": [1, 4], "data": [1, 2, 3, 4], "datatype": "FP32"}]}'],
    ['parameters (binary outputs)', '{"inputs": [{"name": "features", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}], "parameters": {"binary_data_output": true}}'],
    ['a number for id', '{"id": 1, "inputs": [{"name": "features", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]}'],
    ['a number beyond float32', '{"inputs": [{"name": "features", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 1e39]}]}'],
    ['no inputs', '{"inputs": []}'],
  ])('%s: not read here', (_name, text) => {
    expect(fastInfer(text, iris)).toBeUndefined();
  });
});

/**
 * Large bad bodies through the real endpoints: the fast decoder gives up, and the answer is
 * the usual path's error, word for word (computed here by the usual codec on the same body).
 */
describe('large bad bodies: the usual 400 and message', () => {
  const manyRecords = () => Array.from({ length: 2500 }, (_, i) => records[i % records.length]!);
  const errorOf = (fn: () => unknown): string => thrown(fn, 'the usual path took this body').message;
  const post = (path: string, text: string) => request(server.app).post(path).set('content-type', 'application/json').send(text);

  it.each([
    ['a record without a field', (b: string) => b.replace(/"Sex":"(FEMALE|MALE)"\}\]\}$/, '"Sexx":"FEMALE"}]}')],
    ['a string in a number field', (b: string) => b.replace(/("Beak Depth \(mm\)":)([\d.]+)(,"Flipper Length \(mm\)":\d+,"Body Mass \(g\)":\d+,"Sex":"\w+"\}\]\}$)/, '$1"$2"$3')],
    ['a number beyond float32', (b: string) => b.replace(/"Body Mass \(g\)":\d+(,"Sex":"\w+"\}\]\}$)/, '"Body Mass (g)":1e39$1')],
    ['invalid JSON', (b: string) => b.replace(/\]\}$/, ',]}')],
  ])('get_score, %s', async (_name, change) => {
    const valid = JSON.stringify({ data: manyRecords() });
    const text = change(valid);
    expect(text.length).toBeGreaterThan(LARGE_BODY_BYTES);
    expect(text).not.toBe(valid);
    const res = await post('/get_score', text);
    expect(res.status).toBe(400);
    const expected = errorOf(() => usualRecords(text));
    expect(res.body.error.replace(/^request body is not valid JSON: /, '')).toBe(expected.replace(/^request body is not valid JSON: /, ''));
  });

  it.each([
    ['null in a row', (rows: unknown[][]) => ((rows.at(-1)![2] = null), rows)],
    ['a row of three values', (rows: unknown[][]) => (rows.at(-1)!.pop(), rows)],
    ['a string among the numbers', (rows: unknown[][]) => ((rows.at(-1)![0] = '5.1'), rows)],
  ])('TF Serving rows, %s', async (_name, change) => {
    const rows = change(Array.from({ length: 12_000 }, (_, i) => [5.1 + i / 1000, 3.5, 1.4, 0.2]));
    const text = JSON.stringify({ instances: rows });
    expect(text.length).toBeGreaterThan(LARGE_BODY_BYTES);
    const res = await post('/v1/models/iris:predict', text);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe(errorOf(() => decodePredictRequest(parseTfServingBody(text), iris)));
  });

  it.each([
    ['a count that does not fit the shape', (body: { inputs: { shape: number[] }[] }) => ((body.inputs[0]!.shape = [13_000, 4]), body)],
    ['a string among the numbers', (body: { inputs: { data: unknown[] }[] }) => ((body.inputs[0]!.data[100] = 'x'), body)],
    ['the wrong datatype', (body: { inputs: { datatype: string }[] }) => ((body.inputs[0]!.datatype = 'INT32'), body)],
  ])('v2 infer, %s', async (_name, change) => {
    const body = change({ inputs: [{ name: 'features', shape: [12_000, 4], datatype: 'FP32', data: Array.from({ length: 48_000 }, (_, i) => i / 7) }] } as never);
    const text = JSON.stringify(body);
    expect(text.length).toBeGreaterThan(LARGE_BODY_BYTES);
    const res = await post('/v2/models/iris/infer', text);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe(errorOf(() => decodeInferRequest(parseJsonBody(text), iris)));
  });

  it('a large valid body on each API answers as the small bodies do, row for row', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => records[i % records.length]!);
    const big = await post('/get_score', JSON.stringify({ data: many }));
    const small = await post('/get_score', JSON.stringify({ data: records }));
    expect(big.status).toBe(200);
    expect(big.headers['transfer-encoding']).toBe('chunked');
    expect(big.body.data).toStrictEqual(many.map((_, i) => small.body.data[i % records.length]));
  });
});
