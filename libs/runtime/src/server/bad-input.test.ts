/**
 * Bad input gets a 4xx with a clear {"error"} naming what was wrong, never a stack trace,
 * and the server keeps serving afterwards.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../testing/fixtures.js';
import type { ModelServer } from './model-server.js';

let server: ModelServer;
beforeAll(async () => {
  server = await startTestServer({ models: ['penguins', 'iris'], bodyLimit: '64kb' });
});
afterAll(() => server.close());

const penguin = { Island: 'Biscoe', 'Beak Length (mm)': 45.1, 'Beak Depth (mm)': 14.5, 'Flipper Length (mm)': 215, 'Body Mass (g)': 5000, Sex: 'FEMALE' };
const instance = { island: 'Biscoe', bill_length_mm: 45.1, bill_depth_mm: 14.5, flipper_length_mm: 215, body_mass_g: 5000, sex: 'FEMALE' };

type Case = [label: string, method: 'get' | 'post', path: string, body: string | undefined, status: number, message: string | RegExp];

const cases: Case[] = [
  // malformed JSON, per protocol
  ['v1 empty body', 'post', '/v1/models/penguins:predict', '', 400, 'JSON Parse error: The document is empty'],
  ['v1 not JSON', 'post', '/v1/models/penguins:predict', 'hello', 400, 'JSON Parse error: Invalid value. at offset: 0'],
  ['v2 not JSON', 'post', '/v2/models/penguins/infer', '{"inputs": [', 400, /request body is not valid JSON/],
  ['legacy not JSON', 'post', '/get_score', '{data: 1}', 400, /request body is not valid JSON/],
  // wrong types
  ['v1 number for a string input', 'post', '/v1/models/penguins:predict', JSON.stringify({ instances: [{ ...instance, island: 1 }] }), 400, 'is not of expected type: string'],
  ['v1 string for a float input', 'post', '/v1/models/penguins:predict', JSON.stringify({ instances: [{ ...instance, body_mass_g: 'heavy' }] }), 400, 'is not of expected type: float'],
  ['legacy string where a number belongs', 'post', '/get_score', JSON.stringify({ data: [{ ...penguin, 'Body Mass (g)': 'heavy' }] }), 400, 'field "Body Mass (g)" of record 0 must be a number or null, got the string "heavy"'],
  ['v2 string where a number belongs', 'post', '/v2/models/iris/infer', JSON.stringify({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [1, 2, 'x', 4] }] }), 400, 'element 2 must be a number'],
  // missing fields and inputs
  ['legacy absent field', 'post', '/get_score', JSON.stringify({ data: [{ ...penguin, Island: undefined }] }), 400, 'record 0 has no field "Island" (model input "island")'],
  ['legacy no data', 'post', '/get_score', JSON.stringify({ records: [penguin] }), 400, '"data" field'],
  ['v1 missing input', 'post', '/v1/models/penguins:predict', JSON.stringify({ instances: [{ ...instance, sex: undefined }] }), 400, /sex/],
  ['v2 missing input', 'post', '/v2/models/penguins/infer', JSON.stringify({ inputs: [{ name: 'island', shape: [1, 1], datatype: 'BYTES', data: ['Biscoe'] }] }), 400, /missing input "bill_length_mm"/],
  // ragged lists and shapes
  ['v1 ragged instances', 'post', '/v1/models/iris:predict', '{"instances": [[1, 2, 3, 4], [1, 2]]}', 400, /Expecting tensor size|Expecting shape|unexpected size/],
  ['v1 ragged columnar', 'post', '/v1/models/iris:predict', '{"inputs": [[1, 2, 3, 4], [1, 2, 3]]}', 400, /Encountered list at unexpected size/],
  ['v1 wrong width for the model', 'post', '/v1/models/iris:predict', '{"instances": [[1, 2, 3]]}', 400, 'input "features" has shape [1, 3], but the model expects [-1, 4]'],
  ['v2 shape/data mismatch', 'post', '/v2/models/iris/infer', JSON.stringify({ inputs: [{ name: 'features', shape: [2, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] }), 400, 'shape [2, 4] holds 8 values, but "data" has 4'],
  ['legacy ragged columns', 'post', '/get_score', JSON.stringify({ data: { Island: ['Biscoe', 'Dream'], Sex: ['MALE'] } }), 400, 'columns have different lengths'],
  // unknown model, version, label
  ['v1 unknown model', 'post', '/v1/models/nope:predict', '{"instances": [1]}', 404, 'Servable not found for request: Latest(nope)'],
  ['v1 unknown version', 'post', '/v1/models/penguins/versions/9:predict', '{"instances": [1]}', 404, 'Servable not found for request: Specific(penguins, 9)'],
  ['v1 unknown label', 'post', '/v1/models/penguins/labels/beta:predict', '{"instances": [1]}', 400, 'Unrecognized servable version label: beta'],
  ['v1 bad JSON beats unknown model', 'post', '/v1/models/nope:predict', '{', 400, /JSON Parse error/],
  ['v1 malformed URL', 'get', '/v1/models/penguins/versions/x', undefined, 400, 'Malformed request: GET /v1/models/penguins/versions/x'],
  ['v1 unknown signature', 'post', '/v1/models/penguins:predict', '{"signature_name": "other", "instances": [1]}', 400, 'Serving signature name: "other" not found in signature def'],
  ['v2 unknown model', 'post', '/v2/models/nope/infer', '{"inputs": []}', 404, 'model "nope" is not served here'],
  // v2 words its own errors (issue 10 item 11): no TF Serving text on this API.
  ['v2 unknown version', 'get', '/v2/models/penguins/versions/9', undefined, 404, 'version 9 of model "penguins" is not loaded'],
  ['unknown route', 'get', '/nowhere', undefined, 404, 'no route for GET /nowhere'],
  // oversized
  ['v1 oversized body', 'post', '/v1/models/iris:predict', `{"instances": [${'[1, 2, 3, 4], '.repeat(8000)}[1, 2, 3, 4]]}`, 413, 'request body is larger than the limit of 64kb'],
  ['legacy oversized body', 'post', '/get_score', JSON.stringify({ data: Array(2000).fill(penguin) }), 413, 'request body is larger than the limit of 64kb'],
];

describe('bad input', () => {
  it.each(cases)('%s → %i', async (_label, method, path, body, status, message) => {
    const req = method === 'get' ? request(server.app).get(path) : request(server.app).post(path).set('content-type', 'application/json').send(body);
    const res = await req;
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const parsed = JSON.parse(res.text);
    expect(typeof parsed.error).toBe('string');
    if (typeof message === 'string') expect(parsed.error).toContain(message);
    else expect(parsed.error).toMatch(message);
    expect(res.text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  });

  it('accepts the NaN and Infinity tokens where TF Serving does', async () => {
    const nan = await request(server.app)
      .post('/v1/models/penguins:predict')
      .send('{"instances": [{"island": "Biscoe", "bill_length_mm": NaN, "bill_depth_mm": 14.5, "flipper_length_mm": 215, "body_mass_g": Infinity, "sex": "FEMALE"}]}');
    expect(nan.status).toBe(200);
    // The reply carries NaN tokens too, which JSON.parse-based clients cannot read: take the text.
    const inf = await request(server.app)
      .post('/v1/models/iris:predict')
      .send('{"inputs": [[-Infinity, 3.5, 1.4, NaN]]}')
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk));
        res.on('end', () => done(null, text));
      });
    expect(inf.status).toBe(200);
    expect(inf.body).toMatch(/^\{"outputs": \{"probabilities": \[\[NaN, NaN, NaN\]\], "class": \[0\]\}\}$/);
  });

  it('keeps serving after all of the above', async () => {
    const res = await request(server.app).post('/get_score').send({ data: [penguin] });
    expect(res.status).toBe(200);
    expect(res.body.data[0].label).toBe('Gentoo');
  });

  it('a null is a missing value the model imputes, not an error', async () => {
    const res = await request(server.app).post('/get_score').send({ data: [{ ...penguin, 'Body Mass (g)': null, Sex: null }] });
    expect(res.status).toBe(200);
    expect(Object.values(res.body.data[0].probabilities as Record<string, number>).reduce((a, b) => a + b)).toBeCloseTo(1, 5);
  });
});
