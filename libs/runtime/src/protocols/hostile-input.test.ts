/**
 * Bodies that used to crash a request or silently change a prediction (issue 8, findings
 * 5, 6 and 10): each is now a 400 naming what was wrong, and the server keeps serving.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelServer } from '../server/model-server.js';
import { startTestServer } from '../testing/fixtures.js';

let server: ModelServer;
beforeAll(async () => {
  server = await startTestServer({ models: ['penguins', 'iris'] });
});
afterAll(() => server.close());

const penguin = { Island: 'Biscoe', 'Beak Length (mm)': 45.1, 'Beak Depth (mm)': 14.5, 'Flipper Length (mm)': 215, 'Body Mass (g)': 5000, Sex: 'FEMALE' };
const instance = { island: 'Biscoe', bill_length_mm: 45.1, bill_depth_mm: 14.5, flipper_length_mm: 215, body_mass_g: 5000, sex: 'FEMALE' };

const post = (path: string, body: unknown) =>
  request(server.app)
    .post(path)
    .set('content-type', 'application/json')
    .send(typeof body === 'string' ? body : JSON.stringify(body));

async function stillServes() {
  const res = await post('/get_score', { data: [penguin] });
  expect(res.status).toBe(200);
  expect(res.body.data[0].label).toBe('Gentoo');
}

describe('deeply nested v2 data (finding 5)', () => {
  it('is a 400 naming the input, not a stack overflow', async () => {
    const depth = 200_000;
    const body = `{"inputs": [{"name": "features", "shape": [1, 4], "datatype": "FP32", "data": ${'['.repeat(depth)}1${']'.repeat(depth)}}]}`;
    const res = await post('/v2/models/iris/infer', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/features|nest/);
    await stillServes();
  });

  it('refuses data nested deeper than its shape, naming the input', async () => {
    const res = await post('/v2/models/iris/infer', { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [[[[[1, 2, 3, 4]]]]] }] });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('input "features"');
    expect(res.body.error).toContain('nested');
  });

  it('still takes data nested as its shape, or flat', async () => {
    for (const data of [[[5.1, 3.5, 1.4, 0.2]], [5.1, 3.5, 1.4, 0.2]]) {
      const res = await post('/v2/models/iris/infer', { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data }] });
      expect(res.status).toBe(200);
    }
  });
});

describe('inputs of one request with different batch sizes (finding 6)', () => {
  const columns = { island: ['Biscoe'], bill_length_mm: [], bill_depth_mm: [14.5], flipper_length_mm: [215], body_mass_g: [5000], sex: ['FEMALE'] };

  it('is a 400 on TF Serving columnar, naming the inputs and sizes', async () => {
    const res = await post('/v1/models/penguins:predict', { inputs: columns });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('batch size');
    expect(res.body.error).toContain('"bill_length_mm" has 0');
    expect(res.body.error).toContain('"island" has 1');
  });

  it('is a 400 on v2 with shape [0, 1]', async () => {
    const v2 = (name: string, datatype: string, data: unknown[], rows = data.length) => ({ name, shape: [rows, 1], datatype, data });
    const res = await post('/v2/models/penguins/infer', {
      inputs: [
        v2('island', 'BYTES', ['Biscoe']),
        v2('bill_length_mm', 'FP32', []),
        v2('bill_depth_mm', 'FP32', [14.5]),
        v2('flipper_length_mm', 'FP32', [215]),
        v2('body_mass_g', 'FP32', [5000]),
        v2('sex', 'BYTES', ['FEMALE']),
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('"bill_length_mm" has 0');
  });

  it('still answers the same record with NaN for the missing number (Gentoo)', async () => {
    const res = await post('/v1/models/penguins/versions/1:predict', `{"inputs": ${JSON.stringify({ ...columns, bill_length_mm: ['NAN'] }).replace('["NAN"]', '[NaN]')}}`);
    expect(res.status).toBe(200);
    expect(res.body.outputs.label[0]).toBe('Gentoo');
  });
});

describe('finite JSON numbers that overflow the input dtype (finding 10)', () => {
  it('legacy records: 400 naming the field', async () => {
    const res = await post('/get_score', { data: [{ ...penguin, 'Body Mass (g)': 1e39 }] });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('field "Body Mass (g)" of record 0');
    expect(res.body.error).toContain('float32');
  });

  it('TF Serving row and columnar: 400', async () => {
    const row = await post('/v1/models/penguins:predict', { instances: [{ ...instance, body_mass_g: 1e39 }] });
    expect(row.status).toBe(400);
    expect(row.body.error).toContain('1e+39');
    const col = await post('/v1/models/iris:predict', { inputs: [[5.1, 3.5, -3.5e38, 0.2]] });
    expect(col.status).toBe(400);
    expect(col.body.error).toContain('float');
  });

  it('v2: 400 naming the input and element', async () => {
    const res = await post('/v2/models/iris/infer', { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1e39, 0.2] }] });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('input "features": element 2');
  });

  it('keeps null and NaN as missing values, and the largest float32 as a number', async () => {
    expect((await post('/get_score', { data: [{ ...penguin, 'Body Mass (g)': null }] })).status).toBe(200);
    expect((await post('/v1/models/penguins:predict', `{"instances": [${JSON.stringify(instance).replace('5000', 'NaN')}]}`)).status).toBe(200);
    expect((await post('/get_score', { data: [{ ...penguin, 'Body Mass (g)': 3.4e38 }] })).status).toBe(200);
  });
});

describe('nesting beyond what the model can take (finding 4)', () => {
  it('TF Serving: deeper than the model rank allows is a 400; as deep as it needs is served', async () => {
    const deep = await post('/v1/models/iris:predict', `{"instances": [${'['.repeat(8)}5.1${']'.repeat(8)}]}`);
    expect(deep.status).toBe(400);
    expect(deep.body.error).toContain('deeper than 8 levels');
    const ok = await post('/v1/models/iris:predict', { instances: [[5.1, 3.5, 1.4, 0.2]] });
    expect(ok.status).toBe(200);
  });
});
