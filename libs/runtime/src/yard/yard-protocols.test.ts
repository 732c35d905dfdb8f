/**
 * Every protocol, per model, through one yard started as an app starts it (serve(), real
 * sockets, gRPC on): copies of penguins (onnx, two versions, labels), iris (onnx) and cars
 * (tfjs) under new names, each loaded on its first request, every answer checked against
 * the model's own reference.json.
 */
import * as grpc from '@grpc/grpc-js';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PredictionService, type TensorProto } from '../protocols/grpc/protos.js';
import { serve, type RunningServer } from '../server/serve.js';
import { loadReference, maxAbsDiff, PENGUIN_INPUTS, PENGUIN_STRING_INPUTS, type Reference } from '../testing/fixtures.js';
import { makeYardModels, referenceRows } from '../testing/yard-models.js';

let modelsDir: string;
let yard: RunningServer;
let client: grpc.Client;
let penguins: Reference;
let iris: Reference;
let cars: Reference;
const N = 25;

beforeAll(async () => {
  modelsDir = await makeYardModels([
    { name: 'churn_penguins', from: 'penguins' },
    { name: 'fraud.iris', from: 'iris' },
    { name: 'mpg-cars', from: 'cars' },
  ]);
  [penguins, iris, cars] = await Promise.all([loadReference('penguins', 2), loadReference('iris', 1), loadReference('cars', 1)]);
  yard = await serve({
    yard: { env: { maxLoaded: 2, loadTimeoutMs: 60_000 } },
    env: { host: '127.0.0.1', port: 0, modelsDir, grpcPort: 0, logLevel: 'silent', processes: 1 },
    handleSignals: false,
  });
  client = new PredictionService(`127.0.0.1:${yard.grpcPort}`, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client?.close();
  await yard?.shutdown();
  await rm(modelsDir, { recursive: true, force: true });
});

const post = async (path: string, body: unknown, text = JSON.stringify(body)) => {
  const res = await fetch(`${yard.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
  return { status: res.status, body: (await res.json()) as any };
};

const grpcPredict = (model: string, inputs: Record<string, TensorProto>) =>
  new Promise<{ outputs: Record<string, TensorProto> }>((resolve, reject) =>
    (client as any).Predict({ model_spec: { name: model }, inputs }, (err: Error | null, res: { outputs: Record<string, TensorProto> }) => (err ? reject(err) : resolve(res))),
  );

const penguinRecords = () => penguins.records.slice(0, N);
const penguinColumn = (input: string) => penguinRecords().map((r) => r[PENGUIN_INPUTS[input as keyof typeof PENGUIN_INPUTS]] ?? (PENGUIN_STRING_INPUTS.has(input) ? '' : null));
const expectedProbs = (ref: Reference) => ref.outputs['probabilities']!.slice(0, N);

describe('a yard answers every protocol for every model', () => {
  it('starts ready with no model loaded, and /get_score alone asks which model', async () => {
    expect((await fetch(`${yard.url}/v2/health/ready`)).status).toBe(200);
    const index = (await post('/v2/repository/index', {})).body as { name: string; state: string }[];
    expect(index.map((m) => [m.name, m.state])).toEqual([['churn_penguins', 'UNAVAILABLE'], ['fraud.iris', 'UNAVAILABLE'], ['mpg-cars', 'UNAVAILABLE']]);
    const bare = await post('/get_score', { data: iris.records.slice(0, 1) });
    expect(bare.status).toBe(404);
    expect(bare.body.error).toBe('this server serves 3 models: name one, POST /models/{name}/get_score');
    const unknown = await post('/models/nope/get_score', { data: iris.records.slice(0, 1) });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: 'model "nope" is not served here', msg: 'model "nope" is not served here', code: 404 });
  });

  it('legacy POST /models/{name}/get_score', async () => {
    const p = await post('/models/churn_penguins/get_score', { data: penguinRecords() });
    expect(p.status).toBe(200);
    expect(p.body.data.map((d: { label: string }) => d.label)).toEqual(penguins.outputs['label']!.slice(0, N));
    const i = await post('/models/fraud.iris/get_score', { data: iris.records.slice(0, N) });
    expect(maxAbsDiff(i.body.data.map((d: Record<string, number>) => Object.values(d)), expectedProbs(iris))).toBeLessThan(1e-5);
    const c = await post('/models/mpg-cars/get_score', { data: cars.records.slice(0, N) });
    expect(c.status).toBe(200);
    expect(maxAbsDiff(c.body.data, cars.outputs['mpg']!.slice(0, N).flat())).toBeLessThan(1e-3);
    // Three models, MAX_LOADED_MODELS=2: the least recently used one (penguins) has left.
    const index = (await post('/v2/repository/index', {})).body as { name: string; modelyard_state: string }[];
    expect(index.filter((m) => m.modelyard_state === 'loaded').length).toBeLessThanOrEqual(2);
  });

  it('TF Serving REST :predict (rows and columns), version and label', async () => {
    const rows = penguinRecords().map((r) => Object.fromEntries(Object.entries(PENGUIN_INPUTS).map(([input, field]) => [input, r[field] ?? (PENGUIN_STRING_INPUTS.has(input) ? '' : null)])));
    // TF Serving's JSON: a missing number is the NaN token (the only nulls here are numbers).
    const tfText = (value: unknown) => JSON.stringify(value).replace(/null/g, 'NaN');
    const p = await post('/v1/models/churn_penguins/labels/canary:predict', undefined, tfText({ instances: rows }));
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(p.body.predictions.map((x: { label: string }) => x.label)).toEqual(penguins.outputs['label']!.slice(0, N));
    const v1 = await loadReference('penguins', 1);
    const old = await post('/v1/models/churn_penguins/versions/1:predict', undefined, tfText({ inputs: Object.fromEntries(Object.keys(PENGUIN_INPUTS).map((k) => [k, penguinColumn(k)])) }));
    expect(old.status, JSON.stringify(old.body)).toBe(200);
    expect(maxAbsDiff(old.body.outputs.probabilities, v1.outputs['probabilities']!.slice(0, N))).toBeLessThan(1e-5);
    const i = await post('/v1/models/fraud.iris:predict', { instances: referenceRows('iris', iris.records.slice(0, N)).map((features) => ({ features })) });
    expect(maxAbsDiff(i.body.predictions.map((x: { probabilities: number[] }) => x.probabilities), expectedProbs(iris))).toBeLessThan(1e-5);
    const c = await post('/v1/models/mpg-cars:predict', { instances: referenceRows('cars', cars.records.slice(0, N)) });
    expect(maxAbsDiff(c.body.predictions, cars.outputs['mpg']!.slice(0, N))).toBeLessThan(1e-3);
  });

  it('Open Inference Protocol v2 infer and metadata', async () => {
    const inputs = Object.keys(PENGUIN_INPUTS).map((name) => ({
      name,
      shape: [N, 1],
      datatype: PENGUIN_STRING_INPUTS.has(name) ? 'BYTES' : 'FP32',
      data: penguinColumn(name),
    }));
    const p = await post('/v2/models/churn_penguins/infer', { inputs, outputs: [{ name: 'label' }] });
    expect(p.status).toBe(200);
    expect(p.body.outputs[0].data).toEqual(penguins.outputs['label']!.slice(0, N));
    const i = await post('/v2/models/fraud.iris/versions/1/infer', { inputs: [{ name: 'features', shape: [N, 4], datatype: 'FP32', data: referenceRows('iris', iris.records.slice(0, N)).flat() }] });
    const probs = i.body.outputs.find((o: { name: string }) => o.name === 'probabilities');
    expect(maxAbsDiff(probs.data, expectedProbs(iris).flat())).toBeLessThan(1e-5);
    const c = await post('/v2/models/mpg-cars/infer', { inputs: [{ name: 'car', shape: [N, 5], datatype: 'FP32', data: referenceRows('cars', cars.records.slice(0, N)).flat() }] });
    expect(maxAbsDiff(c.body.outputs[0].data, cars.outputs['mpg']!.slice(0, N).flat())).toBeLessThan(1e-3);
    // Metadata of a model that is not loaded loads it first, as a prediction would.
    for (const name of ['churn_penguins', 'fraud.iris', 'mpg-cars']) {
      const res = await fetch(`${yard.url}/v2/models/${name}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { name: string }).name).toBe(name);
      const tf = await fetch(`${yard.url}/v1/models/${name}/metadata`);
      expect(tf.status).toBe(200);
    }
  });

  it('TF Serving gRPC Predict', async () => {
    const floats = (values: number[], dims: number[]): TensorProto => ({ dtype: 'DT_FLOAT', tensor_shape: { dim: dims.map((d) => ({ size: String(d) })) }, float_val: values });
    const i = await grpcPredict('fraud.iris', { features: floats(referenceRows('iris', iris.records.slice(0, N)).flat(), [N, 4]) });
    expect(maxAbsDiff(i.outputs['probabilities']!.float_val, expectedProbs(iris).flat())).toBeLessThan(1e-5);
    const c = await grpcPredict('mpg-cars', { car: floats(referenceRows('cars', cars.records.slice(0, N)).flat(), [N, 5]) });
    expect(maxAbsDiff(c.outputs['mpg']!.float_val, cars.outputs['mpg']!.slice(0, N).flat())).toBeLessThan(1e-3);
    const penguinInputs = Object.fromEntries(
      Object.keys(PENGUIN_INPUTS).map((name): [string, TensorProto] => [
        name,
        PENGUIN_STRING_INPUTS.has(name)
          ? { dtype: 'DT_STRING', tensor_shape: { dim: [{ size: String(N) }, { size: '1' }] }, string_val: penguinColumn(name).map((v) => Buffer.from(String(v))) }
          : floats(penguinColumn(name).map((v) => (v === null ? NaN : Number(v))), [N, 1]),
      ]),
    );
    const p = await grpcPredict('churn_penguins', penguinInputs);
    expect(p.outputs['label']!.string_val!.map((b) => b.toString())).toEqual(penguins.outputs['label']!.slice(0, N));
  });

  it('counts loads, unloads, hits and misses on /metrics', async () => {
    const text = await (await fetch(`${yard.url}/metrics`)).text();
    const value = (name: string) => Number(text.split('\n').find((l) => l.startsWith(name))?.split(' ').pop() ?? 0);
    expect(value('modelyard_yard_loads_total{result="success"}')).toBeGreaterThanOrEqual(3);
    expect(value('modelyard_yard_unloads_total{reason="max_loaded_models"}')).toBeGreaterThanOrEqual(1);
    expect(value('modelyard_yard_requests_total{result="miss"}')).toBeGreaterThanOrEqual(3);
    expect(value('modelyard_yard_requests_total{result="hit"}')).toBeGreaterThanOrEqual(1);
    expect(value('modelyard_yard_loaded_models')).toBeLessThanOrEqual(2);
  });
});

describe('MODELS narrows what a yard serves', () => {
  it('names and globs pick model folders; a name with no folder stops the start, naming it', async () => {
    const small = await serve({ yard: { env: { models: ['fraud.*'] } }, env: { host: '127.0.0.1', port: 0, modelsDir, logLevel: 'silent', processes: 1 }, handleSignals: false });
    try {
      expect((await fetch(`${small.url}/v2/models/fraud.iris`)).status).toBe(200);
      expect((await fetch(`${small.url}/v2/models/mpg-cars`)).status).toBe(404);
      // One model: the bare /get_score answers for it, as in an app of its own.
      const res = await fetch(`${small.url}/get_score`, { method: 'POST', body: JSON.stringify({ data: iris.records.slice(0, 3) }) });
      expect(res.status).toBe(200);
    } finally {
      await small.shutdown();
    }
    await expect(serve({ yard: { env: { models: ['nothere'] } }, env: { host: '127.0.0.1', port: 0, modelsDir, logLevel: 'silent', processes: 1 }, handleSignals: false })).rejects.toThrow(
      /MODELS names "nothere", but .*nothere\/model.json does not exist/,
    );
  });
});
