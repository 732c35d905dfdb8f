/**
 * Every protocol over the real app: real onnxruntime sessions in worker threads, the real
 * penguins and iris models, answers compared with scikit-learn's own predictions.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReference, maxAbsDiff, PENGUIN_INPUTS, PENGUIN_STRING_INPUTS as STRING_INPUTS, startTestServer, type Reference } from '../testing/fixtures.js';
import type { ModelServer } from './model-server.js';


/** A record as TF Serving instance: missing numbers as the NaN token, missing strings "". */
function instanceText(record: Record<string, unknown>): string {
  const parts = Object.entries(PENGUIN_INPUTS).map(([input, field]) => {
    const v = record[field];
    const text = v === null ? (STRING_INPUTS.has(input) ? '""' : 'NaN') : JSON.stringify(v);
    return `"${input}": ${text}`;
  });
  return `{${parts.join(', ')}}`;
}

function columnText(records: Record<string, unknown>[]): string {
  const cols = Object.entries(PENGUIN_INPUTS).map(([input, field]) => {
    const values = records.map((r) => (r[field] === null ? (STRING_INPUTS.has(input) ? '""' : 'NaN') : JSON.stringify(r[field])));
    return `"${input}": [${values.join(', ')}]`;
  });
  return `{"inputs": {${cols.join(', ')}}}`;
}

let server: ModelServer;
let ref1: Reference;
let ref2: Reference;
let iris: Reference;

beforeAll(async () => {
  server = await startTestServer({ models: ['penguins', 'iris'] });
  [ref1, ref2, iris] = await Promise.all([loadReference('penguins', 1), loadReference('penguins', 2), loadReference('iris', 1)]);
});
afterAll(() => server.close());

const post = (path: string, body: string) => request(server.app).post(path).set('content-type', 'application/json').send(body);

describe('TF Serving REST API', () => {
  it('row format: predictions equal scikit-learn for every record, missing values included', async () => {
    const res = await post('/v1/models/penguins/versions/1:predict', `{"instances": [${ref1.records.map(instanceText).join(', ')}]}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const predictions = JSON.parse(res.text).predictions as { label: string; probabilities: number[] }[];
    expect(predictions.map((p) => p.label)).toEqual(ref1.outputs['label']);
    expect(maxAbsDiff(predictions.map((p) => p.probabilities), ref1.outputs['probabilities'])).toBeLessThan(1e-5);
  });

  it('columnar format gives outputs as whole tensors', async () => {
    const res = await post('/v1/models/penguins/versions/2:predict', columnText(ref2.records));
    expect(res.status).toBe(200);
    const { outputs } = JSON.parse(res.text);
    expect(outputs.label).toEqual(ref2.outputs['label']);
    expect(maxAbsDiff(outputs.probabilities, ref2.outputs['probabilities'])).toBeLessThan(1e-5);
  });

  it('no version means the latest; labels pick their versions', async () => {
    const body = columnText(ref1.records.slice(0, 40));
    const latest = JSON.parse((await post('/v1/models/penguins:predict', body)).text).outputs;
    const canary = JSON.parse((await post('/v1/models/penguins/labels/canary:predict', body)).text).outputs;
    const stable = JSON.parse((await post('/v1/models/penguins/labels/stable:predict', body)).text).outputs;
    expect(maxAbsDiff(latest.probabilities, ref2.outputs['probabilities']!.slice(0, 40))).toBeLessThan(1e-5);
    expect(canary).toEqual(latest);
    expect(maxAbsDiff(stable.probabilities, ref1.outputs['probabilities']!.slice(0, 40))).toBeLessThan(1e-5);
  });

  it('a single-input model takes plain lists as instances', async () => {
    const rows = iris.records.map((r) => [r['sepal_length'], r['sepal_width'], r['petal_length'], r['petal_width']]);
    const res = await post('/v1/models/iris:predict', JSON.stringify({ instances: rows }));
    expect(res.status).toBe(200);
    const predictions = JSON.parse(res.text).predictions as { probabilities: number[]; class: number }[];
    expect(maxAbsDiff(predictions.map((p) => p.probabilities), iris.outputs['probabilities'])).toBeLessThan(1e-5);
    expect(predictions.map((p) => p.class)).toEqual(iris.outputs['class']);
  });

  it('reports version status newest first, and 404s unknown models and versions', async () => {
    const res = await request(server.app).get('/v1/models/penguins');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      model_version_status: [
        { version: '2', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
        { version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
      ],
    });
    expect((await request(server.app).get('/v1/models/penguins/versions/1')).body.model_version_status).toHaveLength(1);
    const missing = await request(server.app).get('/v1/models/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('Could not find any versions of model nope');
    expect((await request(server.app).get('/v1/models/penguins/versions/9')).body.error).toBe('Could not find version 9 of model penguins');
  });

  it('serves the signature as metadata, read from the model', async () => {
    const res = await request(server.app).get('/v1/models/penguins/versions/1/metadata');
    expect(res.status).toBe(200);
    expect(res.body.model_spec).toEqual({ name: 'penguins', signature_name: '', version: '1' });
    const sig = res.body.metadata.signature_def.signature_def.serving_default;
    expect(Object.keys(sig.inputs).sort()).toEqual(Object.keys(PENGUIN_INPUTS).sort());
    expect(sig.inputs.island.dtype).toBe('DT_STRING');
    expect(sig.inputs.body_mass_g.dtype).toBe('DT_FLOAT');
    expect(sig.outputs.probabilities.tensor_shape.dim.map((d: { size: string }) => d.size)).toEqual(['-1', '3']);
  });

  it(':classify returns [class, score] pairs per example', async () => {
    const examples = ref1.records.slice(0, 3).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? (k === 'Island' || k === 'Sex' ? '' : NaN) : [v]])));
    const body = JSON.stringify({ examples }).replaceAll('null', 'NaN');
    const res = await post('/v1/models/penguins/versions/1:classify', body);
    expect(res.status).toBe(200);
    const results = JSON.parse(res.text).results as [string, number][][];
    expect(results).toHaveLength(3);
    results.forEach((pairs, i) => {
      expect(pairs.map(([c]) => c)).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
      expect(maxAbsDiff(pairs.map(([, p]) => p), ref1.outputs['probabilities']![i])).toBeLessThan(1e-5);
    });
  });
});

describe('Open Inference Protocol v2', () => {
  it('health, server metadata and model readiness', async () => {
    expect((await request(server.app).get('/v2/health/live')).body).toEqual({ live: true });
    expect((await request(server.app).get('/v2/health/ready')).body).toEqual({ ready: true });
    expect((await request(server.app).get('/v2')).body.name).toBe('modelyard');
    expect((await request(server.app).get('/v2/models/penguins/ready')).body).toEqual({ name: 'penguins', ready: true });
    expect((await request(server.app).get('/v2/models/penguins/versions/1/ready')).status).toBe(200);
    expect((await request(server.app).get('/v2/models/penguins/versions/7/ready')).status).toBe(503);
  });

  it('model metadata lists versions and the signature', async () => {
    const res = await request(server.app).get('/v2/models/iris');
    expect(res.body).toEqual({
      name: 'iris',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
        { name: 'class', datatype: 'INT64', shape: [-1] },
      ],
    });
  });

  it('infer matches the references, echoes the id and honours requested outputs', async () => {
    const records = ref1.records;
    const inputs = Object.entries(PENGUIN_INPUTS).map(([name, field]) => ({
      name,
      shape: [records.length, 1],
      datatype: STRING_INPUTS.has(name) ? 'BYTES' : 'FP32',
      data: records.map((r) => (r[field] === null && STRING_INPUTS.has(name) ? '' : r[field])),
    }));
    const res = await request(server.app)
      .post('/v2/models/penguins/versions/1/infer')
      .send({ id: 'req-7', inputs, outputs: [{ name: 'probabilities' }] });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe('req-7');
    expect(res.body.model_version).toBe('1');
    expect(res.body.outputs.map((o: { name: string }) => o.name)).toEqual(['probabilities']);
    const [probs] = res.body.outputs;
    expect(probs.shape).toEqual([records.length, 3]);
    expect(maxAbsDiff(probs.data, ref1.outputs['probabilities']!.flat())).toBeLessThan(1e-5);
  });

  it('a label works in place of a version', async () => {
    const record = ref1.records[0]!;
    const inputs = Object.entries(PENGUIN_INPUTS).map(([name, field]) => ({
      name,
      shape: [1, 1],
      datatype: STRING_INPUTS.has(name) ? 'BYTES' : 'FP32',
      data: [record[field]],
    }));
    const res = await request(server.app).post('/v2/models/penguins/versions/stable/infer').send({ inputs });
    expect(res.status).toBe(200);
    expect(res.body.model_version).toBe('1');
    const probs = res.body.outputs.find((o: { name: string }) => o.name === 'probabilities');
    expect(maxAbsDiff(probs.data, ref1.outputs['probabilities']![0])).toBeLessThan(1e-5);
  });
});

describe('legacy /get_score', () => {
  it('takes records with the dataset field names and answers like the Flask services did', async () => {
    const res = await request(server.app).post('/get_score').send({ data: ref2.records });
    expect(res.status).toBe(200);
    expect(res.body.msg).toBe('Successful!');
    expect(res.body.code).toBe(200);
    const data = res.body.data as { label: string; probabilities: Record<string, number> }[];
    expect(data.map((d) => d.label)).toEqual(ref2.outputs['label']);
    const probs = data.map((d) => [d.probabilities['Adelie'], d.probabilities['Chinstrap'], d.probabilities['Gentoo']]);
    expect(maxAbsDiff(probs, ref2.outputs['probabilities'])).toBeLessThan(1e-5);
  });

  it('takes an object of columns, as a pandas DataFrame would', async () => {
    const records = ref2.records.slice(0, 5);
    const columns = Object.fromEntries(Object.keys(records[0]!).map((k) => [k, records.map((r) => r[k])]));
    const res = await request(server.app).post('/get_score').send({ data: columns });
    expect(res.status).toBe(200);
    expect(res.body.data.map((d: { label: string }) => d.label)).toEqual(ref2.outputs['label']!.slice(0, 5));
  });

  it('GET /health', async () => {
    expect((await request(server.app).get('/health')).body).toEqual({ health: 'status', code: 200 });
  });
});

describe('ops', () => {
  it('exposes Prometheus metrics by model, version, protocol and status', async () => {
    await post('/v1/models/penguins/versions/1:predict', `{"instances": [${instanceText(ref1.records[0]!)}]}`);
    await post('/v1/models/penguins/versions/1:predict', '{"instances": [{"island": 1}]}');
    const text = (await request(server.app).get('/metrics')).text;
    expect(text).toMatch(/modelyard_requests_total\{model="penguins",version="1",protocol="tfserving",status="200"\} [1-9]/);
    expect(text).toMatch(/modelyard_requests_total\{model="penguins",version="1",protocol="tfserving",status="400"\} [1-9]/);
    expect(text).toMatch(/modelyard_request_duration_seconds_bucket\{le="[^"]+",model="penguins"/);
    expect(text).toMatch(/modelyard_inference_duration_seconds_count\{model="penguins",version="1"\} [1-9]/);
    expect(text).toMatch(/modelyard_model_loads_total\{model="penguins",version="2",result="success"\} 1/);
  });

  it('/metrics (answered without Express) routes as Express did: any case, a trailing slash, a query; HEAD has no body; other methods are a JSON 404', async () => {
    for (const path of ['/metrics', '/METRICS/', '/metrics?x=1']) {
      const res = await request(server.app).get(path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
      expect(res.text).toMatch(/^# HELP /m);
    }
    const head = await request(server.app).head('/metrics');
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
    expect(head.text ?? '').toBe('');
    const postRes = await request(server.app).post('/metrics').send('{}');
    expect(postRes.status).toBe(404);
    expect(postRes.body).toEqual({ error: 'no route for POST /metrics' });
    expect((await request(server.app).get('/metricsx')).status).toBe(404);
  });

  it('echoes a sane x-request-id and makes one otherwise', async () => {
    expect((await request(server.app).get('/v2/health/live').set('x-request-id', 'abc-123')).headers['x-request-id']).toBe('abc-123');
    expect((await request(server.app).get('/v2/health/live').set('x-request-id', 'bad id with spaces')).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
