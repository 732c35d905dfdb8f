/**
 * An app whose model runs in the interpreter, over HTTP: the penguins example (v1, logistic
 * regression) with `"onnx": {"execution": "interpreter"}`. Answers equal scikit-learn's
 * reference through every prediction API; hostile and malformed bodies get a 400 naming the
 * problem and change nothing; a request of many rows lets the probes through between its
 * slices. (That an app running it never loads onnxruntime is server/memory.test.ts's.)
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelServer } from '../../../server/model-server.js';
import { copyModel, loadReference, maxAbsDiff, PENGUIN_INPUTS, startTestServer, type Reference } from '../../../testing/fixtures.js';

let server: ModelServer;
let ref: Reference;
beforeAll(async () => {
  const modelsDir = await copyModel('penguins', [1], { onnx: { execution: 'interpreter' }, pollSeconds: 60 });
  server = await startTestServer({ models: ['penguins'], modelsDir });
  ref = await loadReference('penguins', 1);
});
afterAll(() => server.close());

const post = (path: string, body: unknown) =>
  request(server.app)
    .post(path)
    .set('content-type', 'application/json')
    .send(typeof body === 'string' ? body : JSON.stringify(body));

/** The reference records as the old service's callers send them (display names). */
const legacyRecords = () =>
  ref.records.map((r) => Object.fromEntries(Object.entries(PENGUIN_INPUTS).map(([input, field]) => [field, r[field] ?? r[input] ?? null])));

describe('penguins v1 in the interpreter, over HTTP', () => {
  it('the status API says which engine runs it', async () => {
    const status = await request(server.app).get('/status.json');
    expect(status.status).toBe(200);
    expect(JSON.stringify(status.body)).toContain('"engine":"interpreter"');
  });

  it('get_score, :predict and v2 infer answer as scikit-learn does', async () => {
    const score = await post('/get_score', { data: legacyRecords() });
    expect(score.status, JSON.stringify(score.body)).toBe(200);
    expect(score.body.data.map((d: { label: string }) => d.label)).toEqual(ref.outputs['label']);
    const probs = score.body.data.map((d: { probabilities: Record<string, number> | number[] }) => (Array.isArray(d.probabilities) ? d.probabilities : Object.values(d.probabilities)));
    expect(maxAbsDiff(probs, ref.outputs['probabilities'])).toBeLessThan(1e-5);

    const instances = ref.records.map((r) => Object.fromEntries(Object.entries(PENGUIN_INPUTS).map(([input, field]) => [input, r[field] ?? r[input] ?? null])));
    // TF Serving refuses null for a float, as :predict does: the records without one.
    const complete = instances.map((x, i) => [x, i] as const).filter(([x]) => Object.values(x).every((v) => v !== null));
    const predict = await post('/v1/models/penguins:predict', { instances: complete.map(([x]) => x) });
    expect(predict.status, JSON.stringify(predict.body)).toBe(200);
    expect(predict.body.predictions.map((p: { label: string }) => p.label)).toEqual(complete.map(([, i]) => ref.outputs['label']![i]));

    const column = (input: string, strings: boolean) => ({
      name: input,
      shape: [complete.length, 1],
      datatype: strings ? 'BYTES' : 'FP32',
      data: complete.map(([x]) => x[input]),
    });
    const infer = await post('/v2/models/penguins/infer', {
      inputs: Object.keys(PENGUIN_INPUTS).map((input) => column(input, input === 'island' || input === 'sex')),
      outputs: [{ name: 'label' }],
    });
    expect(infer.status, JSON.stringify(infer.body)).toBe(200);
    expect(infer.body.outputs[0].data).toEqual(complete.map(([, i]) => ref.outputs['label']![i]));
  });

  it('malformed and hostile bodies are 400s naming the problem, and the next request is answered as before', async () => {
    const record = legacyRecords()[0]!;
    const field = Object.keys(record).find((k) => typeof record[k] === 'number')!;
    const cases: [string, unknown][] = [
      ['/get_score', { data: [{ ...record, [field]: 'forty' }] }],
      ['/get_score', { data: [{ ...record, [field]: [1, 2] }] }],
      ['/get_score', { data: [{ ...record, [field]: { deep: { er: 1 } } }] }],
      ['/get_score', '{"data": [1, 2'],
      ['/v1/models/penguins:predict', { instances: [[1, 2, 3]] }],
      ['/v2/models/penguins/infer', { inputs: [{ name: 'island', shape: [2, 1], datatype: 'BYTES', data: ['Dream'] }] }],
    ];
    for (const [path, body] of cases) {
      const res = await post(path, body);
      expect(res.status, `${path} ${JSON.stringify(body).slice(0, 80)}`).toBe(400);
      expect(typeof res.body.error).toBe('string');
      expect(res.body.error).not.toMatch(/at .*\.js:\d+/);
    }
    const again = await post('/get_score', { data: [record] });
    expect(again.status).toBe(200);
    expect(again.body.data[0].label).toBe(ref.outputs['label']![0]);
  });

  it('an island it was not trained on is all zeros in the one-hot block, as scikit-learn handle_unknown=ignore', async () => {
    const record = { ...legacyRecords()[0]! };
    const islandField = PENGUIN_INPUTS.island;
    const res = await post('/get_score', { data: [{ ...record, [islandField]: 'Atlantis' }, { ...record, [islandField]: null }] });
    expect(res.status).toBe(200);
    // Unknown and missing encode the same way, so they score the same.
    expect(res.body.data[0]).toEqual(res.body.data[1]);
  });

  it('10,000 records in one request: answered whole, and a probe meanwhile is not held behind it', async () => {
    const records = Array.from({ length: 10_000 }, (_, i) => legacyRecords()[i % ref.records.length]!);
    const big = post('/get_score', { data: records });
    const probe = request(server.app).get('/v2/health/ready');
    const [res, ready] = await Promise.all([big, probe]);
    expect(ready.status).toBe(200);
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(10_000);
    expect(res.body.data[9_999].label).toBe(ref.outputs['label']![9_999 % ref.records.length]);
  }, 60_000);
});
