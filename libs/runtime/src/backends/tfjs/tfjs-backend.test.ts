/**
 * The tfjs backend: the cars model (trained in TypeScript, saved as a tfjs layers model)
 * through every protocol, against the predictions tfjs made at training time.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelServer } from '../../server/model-server.js';
import { loadReference, maxAbsDiff, startTestServer, type Reference } from '../../testing/fixtures.js';
import { loadTf } from './load-tf.js';

const FIELDS = ['Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration'];
let server: ModelServer;
let ref: Reference;
const expected = () => ref.outputs['mpg'] as number[][];

beforeAll(async () => {
  server = await startTestServer({ models: ['cars'] });
  ref = await loadReference('cars', 1);
});
afterAll(() => server.close());

describe('tfjs backend', () => {
  it('runs on the fastest backend that loads here', async () => {
    const { backend, tf } = await loadTf();
    expect(['node', 'wasm']).toContain(backend);
    expect(tf.getBackend()).toBe(backend === 'node' ? 'tensorflow' : 'wasm');
  });

  it('reads the signature from the layers model', async () => {
    const res = await request(server.app).get('/v2/models/cars');
    expect(res.body).toMatchObject({ platform: 'tensorflowjs', inputs: [{ name: 'car', datatype: 'FP32', shape: [-1, 5] }], outputs: [{ name: 'mpg', datatype: 'FP32', shape: [-1, 1] }] });
  });

  it('legacy /get_score matches the training-time predictions for every car', async () => {
    const res = await request(server.app).post('/get_score').send({ data: ref.records });
    expect(res.status).toBe(200);
    expect(maxAbsDiff(res.body.data, expected().map((p) => p[0]))).toBeLessThan(1e-5);
  });

  it('TF Serving row and columnar formats, and v2 infer', async () => {
    const rows = ref.records.map((r) => FIELDS.map((f) => r[f]));
    const row = await request(server.app).post('/v1/models/cars:predict').send(JSON.stringify({ instances: rows }));
    expect(row.status).toBe(200);
    expect(maxAbsDiff(JSON.parse(row.text).predictions, expected())).toBeLessThan(1e-5);
    const col = await request(server.app).post('/v1/models/cars/versions/1:predict').send(JSON.stringify({ inputs: { car: rows.slice(0, 3) } }));
    expect(maxAbsDiff(JSON.parse(col.text).outputs, expected().slice(0, 3))).toBeLessThan(1e-5);
    const v2 = await request(server.app).post('/v2/models/cars/infer').send({ inputs: [{ name: 'car', shape: [rows.length, 5], datatype: 'FP32', data: rows.flat() }] });
    expect(v2.status).toBe(200);
    expect(maxAbsDiff(v2.body.outputs[0].data, expected().flat())).toBeLessThan(1e-5);
  });

  it('bad input is a clear 400', async () => {
    const res = await request(server.app).post('/v1/models/cars:predict').send('{"instances": [[1, 2, 3]]}');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('input "car" has shape [1, 3], but the model expects [-1, 5]');
  });
});

describe('tfjs graph models', () => {
  it('loads a graph-model model.json and answers like the layers model it was written from', async () => {
    const { loadTfjsBackend } = await import('./tfjs-backend.js');
    const fixture = new URL('../../testing/fixtures/cars-graph', import.meta.url).pathname;
    const backend = await loadTfjsBackend({ versionDir: fixture, modelName: 'cars-graph', version: 1 }, { name: 'cars-graph', backend: 'tfjs', artifact: 'model.json' } as never);
    try {
      expect(backend.signature).toEqual({ inputs: [{ name: 'car', dtype: 'float32', shape: [-1, 5] }], outputs: [{ name: 'mpg', dtype: 'float32', shape: null }] });
      const rows = ref.records.map((r) => FIELDS.map((f) => Number(r[f])));
      const out = await backend.run({ car: { dtype: 'float32', shape: [rows.length, 5], data: Float32Array.from(rows.flat()) } });
      expect(out['mpg']!.shape).toEqual([rows.length, 1]);
      expect(maxAbsDiff([...(out['mpg']!.data as Float32Array)], expected().flat())).toBeLessThan(1e-5);
    } finally {
      await backend.close();
    }
  });
});
