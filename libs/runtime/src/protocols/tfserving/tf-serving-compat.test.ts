/**
 * What a TF Serving REST client sees, checked against tensorflow/serving's own behaviour
 * (../shared/reference/tf-serving-rest.md): model names such as half_plus_two in every URL,
 * flat instances for an [N, 1] model, and :classify / :regress texts and check order. Real
 * app, real onnxruntime sessions: half_plus_two (made by tools/models/make_half_plus_two.py)
 * and the penguins classifier.
 */
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelServer, type ModelServer } from '../../server/model-server.js';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WORKSPACE_MODELS, loadReference, maxAbsDiff, silentLogger, type Reference } from '../../testing/fixtures.js';

const FIXTURES = fileURLToPath(new URL('../../testing/fixtures', import.meta.url));

let server: ModelServer;
let penguins: Reference;
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tf-compat-'));
  await cp(join(FIXTURES, 'half_plus_two'), join(dir, 'half_plus_two'), { recursive: true });
  await cp(join(WORKSPACE_MODELS, 'penguins'), join(dir, 'penguins'), { recursive: true });
  server = await createModelServer({ modelsDir: dir, models: ['half_plus_two', 'penguins'], logger: silentLogger() });
  penguins = await loadReference('penguins', 1);
});
afterAll(() => server.close());

/** Replies may hold bare NaN tokens, which superagent's JSON parser refuses: keep the text. */
async function post(path: string, body: string) {
  const res = await request(server.app)
    .post(path)
    .set('content-type', 'application/json')
    .send(body)
    .buffer(true)
    .parse((stream, done) => {
      let text = '';
      stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      stream.on('end', () => done(null, text));
    });
  const text = res.body as string;
  return { status: res.status, type: res.type, text, body: parsed(text) };
}
const parsed = (text: string) => JSON.parse(text.replace(/\bNaN\b/g, 'null'));

describe('model names as TF Serving has them', () => {
  it('serves half_plus_two under its own name on every protocol', async () => {
    const status = await request(server.app).get('/v1/models/half_plus_two');
    expect(status.status).toBe(200);
    expect(status.body.model_version_status[0]).toMatchObject({ version: '1', state: 'AVAILABLE' });
    const meta = await request(server.app).get('/v1/models/half_plus_two/metadata');
    expect(meta.body.model_spec.name).toBe('half_plus_two');
    expect((await request(server.app).get('/v2/models/half_plus_two/ready')).body).toEqual({ name: 'half_plus_two', ready: true });
    const v2 = await post('/v2/models/half_plus_two/infer', JSON.stringify({ inputs: [{ name: 'x', shape: [2, 1], datatype: 'FP32', data: [1, 2] }] }));
    expect(v2.status).toBe(200);
    expect(v2.body.outputs[0].data).toEqual([2.5, 3]);
  });
});

describe('flat instances for a model declared [-1, 1]', () => {
  it('answers in the shape the caller sent, as TF Serving answers half_plus_two', async () => {
    const row = await post('/v1/models/half_plus_two:predict', '{"instances": [1.0, 2.0, 5.0]}');
    expect(row.status).toBe(200);
    expect(row.text).toBe('{"predictions": [2.5, 3.0, 4.5]}');
    const columnar = await post('/v1/models/half_plus_two:predict', '{"inputs": [3.0, 4.0]}');
    expect(columnar.text).toBe('{"outputs": [3.5, 4.0]}');
    const named = await post('/v1/models/half_plus_two:predict', '{"instances": [{"x": 1.0}, {"x": 2.0}]}');
    expect(named.text).toBe('{"predictions": [2.5, 3.0]}');
  });

  it('keeps the [N, 1] shape when the caller sent it', async () => {
    const row = await post('/v1/models/half_plus_two:predict', '{"instances": [[1.0], [2.0]]}');
    expect(row.text).toBe('{"predictions": [[2.5], [3.0]]}');
    const columnar = await post('/v1/models/half_plus_two:predict', '{"inputs": [[3.0], [4.0]]}');
    expect(columnar.text).toBe('{"outputs": [[3.5], [4.0]]}');
  });
});

describe(':regress and :classify', () => {
  it('regresses tf.Example features, context merged into every example', async () => {
    const res = await post('/v1/models/half_plus_two:regress', '{"examples": [{"x": 1.0}, {"x": [5.0]}, {"x": NaN}]}');
    expect(res.status).toBe(200);
    expect(res.text).toBe('{"results": [2.5, 4.5, NaN]}');
    const withContext = await post('/v1/models/half_plus_two:regress', '{"context": {"x": 2.0}, "examples": [{}, {"x": 4.0}]}');
    expect(withContext.text).toBe('{"results": [3.0, 4.0]}');
  });

  it('classifies with the model, checked against scikit-learn', async () => {
    const record = penguins.records[0]!;
    const example = Object.fromEntries(Object.entries(record).map(([k, v]) => [k, v === null ? [] : [v]]));
    const res = await post('/v1/models/penguins/versions/1:classify', JSON.stringify({ signature_name: 'serving_default', examples: [example] }));
    expect(res.status).toBe(200);
    const pairs = res.body.results[0] as [string, number][];
    expect(maxAbsDiff(pairs.map(([, p]) => p), penguins.outputs['probabilities']![0])).toBeLessThan(1e-5);
  });

  type Case = [label: string, path: string, body: string, message: string];
  const cases: Case[] = [
    ['unknown signature on :regress', '/v1/models/half_plus_two:regress', '{"signature_name": "nope", "examples": [{"x": 1.0}]}', 'No signature was found with the name: nope'],
    ['unknown signature on :classify', '/v1/models/penguins:classify', '{"signature_name": "nope", "examples": [{"Island": "Dream"}]}', 'No signature was found with the name: nope'],
    ['signature_name not a string', '/v1/models/half_plus_two:regress', '{"signature_name": 1, "examples": [{"x": 1.0}]}', "'signature_name' key must be a string value."],
    ['no examples (regress keeps the classify words)', '/v1/models/half_plus_two:regress', '{"instances": [1.0]}', "When method is classify, key 'examples' is expected and was not found"],
    ['examples not a list', '/v1/models/half_plus_two:regress', '{"examples": {"x": 1.0}}', "Expecting 'examples' value to be an list/array"],
    ['empty examples', '/v1/models/half_plus_two:regress', '{"examples": []}', "'examples' value is an empty array"],
    ['an example that is not an object', '/v1/models/half_plus_two:regress', '{"examples": [[1.0]]}', 'Example must be JSON object but got JSON Array'],
    ['context checked before examples', '/v1/models/half_plus_two:regress', '{"context": [1], "examples": []}', 'Example must be JSON object but got JSON Array'],
    ['null inside a feature list', '/v1/models/half_plus_two:regress', '{"examples": [{"x": [1.0, null]}]}', 'Feature: x has element with unexpected JSON type: Null'],
    ['object inside a feature list', '/v1/models/half_plus_two:regress', '{"examples": [{"x": [{"a": 1}]}]}', 'Feature: x has element with unexpected JSON type: Object'],
    ['int then float in one feature', '/v1/models/half_plus_two:regress', '{"examples": [{"x": [6, 6.0]}]}', 'Unexpected element type in feature: x expecting type: int64'],
    ['uint64 beyond int64', '/v1/models/half_plus_two:regress', '{"examples": [{"x": 18446744073709551615}]}', 'Feature: x has uint64 element. Only int64 is supported.'],
  ];
  it.each(cases)('%s → 400 with TF Serving\'s text', async (_label, path, body, message) => {
    const res = await post(path, body);
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/json');
    expect(res.body.error).toContain(message);
  });

  it('reads the examples before it resolves the model, as TF Serving does', async () => {
    const bad = await post('/v1/models/nope:regress', '{"examples": []}');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain("'examples' value is an empty array");
    const good = await post('/v1/models/nope:regress', '{"examples": [{"x": 1.0}]}');
    expect(good.status).toBe(404);
  });

  it('reads the body before it looks at the signature, as TF Serving does', async () => {
    const res = await post('/v1/models/half_plus_two:regress', '{"signature_name": "nope", "examples": []}');
    expect(res.body.error).toContain("'examples' value is an empty array");
  });
});
