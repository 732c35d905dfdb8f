/**
 * The tfserving backend against a real peer over real sockets. TF Serving cannot run here,
 * so the peer is a modelyard app serving iris's ONNX graph through the TF Serving REST API
 * (which this runtime implements to TF Serving's reference). The logic app in front does
 * validation and the feature stage; the graph runs on the peer.
 */
import * as grpc from '@grpc/grpc-js';
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PredictionService } from '../../protocols/grpc/protos.js';
import type { ModelServer } from '../../server/model-server.js';
import { serve, type RunningServer } from '../../server/serve.js';
import { freePort } from '../../testing/app-process.js';
import { loadReference, maxAbsDiff, sleep, startTestServer, WORKSPACE_MODELS, type Reference } from '../../testing/fixtures.js';

const FIELDS = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
let peer: RunningServer | undefined;
let peerPort: number;
let peerGrpcPort: number;
let ref: Reference;

const startPeer = async () => {
  peer = await serve({ model: 'iris', env: { host: '127.0.0.1', port: peerPort, grpcPort: peerGrpcPort, modelsDir: WORKSPACE_MODELS, logLevel: 'silent' }, handleSignals: false });
};

beforeAll(async () => {
  ref = await loadReference('iris', 1);
  [peerPort, peerGrpcPort] = [await freePort(), await freePort()];
  await startPeer();
});
afterAll(async () => {
  await peer?.shutdown();
});

/** A logic app whose model `flowers` runs on the peer, reached over `protocol`. */
async function logicApp(protocol: 'rest' | 'grpc'): Promise<ModelServer> {
  const dir = await mkdtemp(join(tmpdir(), 'logic-'));
  await mkdir(join(dir, 'flowers', '1'), { recursive: true });
  await writeFile(join(dir, 'flowers', '1', 'saved_model.pb'), ''); // what the graph image would bake in
  await writeFile(
    join(dir, 'flowers', 'model.json'),
    JSON.stringify({
      name: 'flowers',
      backend: 'tfserving',
      tfserving: {
        protocol,
        url: `http://127.0.0.1:${peerPort}`,
        grpc: `127.0.0.1:${peerGrpcPort}`,
        model: 'iris',
        timeoutMs: 1000,
        retries: 1,
        backoffMs: 20,
        breakerThreshold: 3,
        breakerCooldownMs: 400,
        statusPollMs: 100,
      },
      inputs: [{ name: 'features', fields: FIELDS }],
      outputs: [{ name: 'probabilities', role: 'probabilities', classes: ['setosa', 'versicolor', 'virginica'] }, { name: 'class', role: 'label' }],
      getScore: { output: 'probabilities' },
    }),
  );
  return startTestServer({ models: ['flowers'], modelsDir: dir });
}

describe.each(['rest', 'grpc'] as const)('tfserving backend over %s', (protocol) => {
  let logic: ModelServer;
  beforeAll(async () => {
    logic = await logicApp(protocol);
  });
  afterAll(() => logic.close());
  const scores = () => request(logic.app).post('/get_score').send({ data: ref.records });

  it("takes the signature from the graph service's metadata", async () => {
    const res = await request(logic.app).get('/v2/models/flowers');
    expect(res.body.platform).toBe('tensorflow_savedmodel');
    expect(res.body.inputs).toEqual([{ name: 'features', datatype: 'FP32', shape: [-1, 4] }]);
    expect(res.body.outputs.map((o: { name: string }) => o.name)).toEqual(['probabilities', 'class']);
  });

  it('answers all three protocols with the reference predictions', async () => {
    const legacy = await scores();
    expect(legacy.status).toBe(200);
    expect(maxAbsDiff(legacy.body.data.map((d: Record<string, number>) => Object.values(d)), ref.outputs['probabilities'])).toBeLessThan(1e-5);

    const rows = ref.records.map((r) => FIELDS.map((f) => r[f]));
    const v1 = await request(logic.app).post('/v1/models/flowers:predict').send(JSON.stringify({ instances: rows }));
    expect(v1.status).toBe(200);
    const predictions = JSON.parse(v1.text).predictions as { probabilities: number[]; class: number }[];
    expect(maxAbsDiff(predictions.map((p) => p.probabilities), ref.outputs['probabilities'])).toBeLessThan(1e-5);
    expect(predictions.map((p) => p.class)).toEqual(ref.outputs['class']); // int64 through TF Serving JSON

    const v2 = await request(logic.app)
      .post('/v2/models/flowers/infer')
      .send({ inputs: [{ name: 'features', shape: [rows.length, 4], datatype: 'FP32', data: rows.flat() }], outputs: [{ name: 'class' }] });
    expect(v2.status).toBe(200);
    expect(v2.body.outputs[0].data).toEqual(ref.outputs['class']);
  });

  it('validates in the logic app: the peer never sees a bad request', async () => {
    // Inferences, not requests: the backend's status polls reach the peer all along.
    const peerRequests = async () => {
      const text = await (await fetch(`http://127.0.0.1:${peerPort}/metrics`)).text();
      return [...text.matchAll(/^modelyard_inference_duration_seconds_count\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    };
    const before = await peerRequests();
    const res = await request(logic.app).post('/get_score').send({ data: [{ sepal_length: 'long' }] });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('field "sepal_length" of record 0 must be a number or null, got the string "long"');
    expect(await peerRequests()).toBe(before);
  });

  it('peer down: 503 with a clear error within the timeout, not ready; peer back: recovers without a restart', async () => {
    await peer!.shutdown();
    peer = undefined;
    const started = Date.now();
    const down = await scores();
    expect(down.status).toBe(503);
    expect(down.body.error).toMatch(protocol === 'rest' ? /graph service .* is unreachable \(ECONNREFUSED\)/ : /graph service at 127\.0\.0\.1:\d+: .*(ECONNREFUSED|No connection established|connect)/i);
    expect(Date.now() - started).toBeLessThan(1000);

    // After a few failures the circuit opens and readiness turns off.
    for (let i = 0; i < 3; i++) await scores();
    const open = await scores();
    expect(open.status).toBe(503);
    expect(open.body.error).toMatch(/failed \d+ times in a row; not calling it/);
    expect((await request(logic.app).get('/v2/health/ready')).status).toBe(503);

    await startPeer();
    let recovered = false;
    for (let i = 0; i < 40 && !recovered; i++) {
      await sleep(100);
      recovered = (await scores()).status === 200;
    }
    expect(recovered).toBe(true);
    expect((await request(logic.app).get('/v2/health/ready')).status).toBe(200);
  });
});

describe('a transformer in front of the graph service', () => {
  let logic: ModelServer;
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'logic-t-'));
    await mkdir(join(dir, 'flowers', '1'), { recursive: true });
    // Version 1 ships its transformer beside the graph's artifact, as a pickled one did.
    await copyFile(join(WORKSPACE_MODELS, '../libs/runtime/src/testing/fixtures/iris-columns/model.onnx'), join(dir, 'flowers', '1', 'transformer.onnx'));
    await writeFile(join(dir, 'flowers', '1', 'saved_model.pb'), '');
    await writeFile(
      join(dir, 'flowers', 'model.json'),
      JSON.stringify({
        name: 'flowers',
        backend: 'tfserving',
        transformer: { artifact: 'transformer.onnx' },
        tfserving: { url: `http://127.0.0.1:${peerPort}`, model: 'iris' },
        outputs: [{ name: 'probabilities', role: 'probabilities', classes: ['setosa', 'versicolor', 'virginica'] }, { name: 'class', role: 'label' }],
        getScore: { output: 'probabilities' },
      }),
    );
    logic = await startTestServer({ models: ['flowers'], modelsDir: dir });
  });
  afterAll(() => logic.close());

  it("takes the transformer's inputs, and answers with the graph's outputs", async () => {
    const meta = await request(logic.app).get('/v2/models/flowers');
    expect(meta.body.inputs.map((i: { name: string }) => i.name)).toEqual(FIELDS);
    expect(meta.body.outputs.map((o: { name: string }) => o.name)).toEqual(['probabilities', 'class']);
    const res = await request(logic.app).post('/get_score').send({ data: ref.records });
    expect(res.status).toBe(200);
    expect(maxAbsDiff(res.body.data.map((d: Record<string, number>) => Object.values(d)), ref.outputs['probabilities'])).toBeLessThan(1e-5);
  });
});

describe('the gRPC server itself', () => {
  it('answers a TF Serving gRPC client with TF Serving status codes', async () => {
    const client = new PredictionService(`127.0.0.1:${peerGrpcPort}`, grpc.credentials.createInsecure()) as grpc.Client & Record<string, (...args: unknown[]) => void>;
    const call = (request: unknown) =>
      new Promise<{ code: number; details: string }>((resolve) =>
        client['Predict']!(request, (err: grpc.ServiceError | null) => resolve({ code: err?.code ?? 0, details: err?.details ?? '' })),
      );
    expect(await call({ model_spec: { name: 'nope' }, inputs: {} })).toEqual({ code: grpc.status.NOT_FOUND, details: 'Servable not found for request: Latest(nope)' });
    const wrongType = await call({ model_spec: { name: 'iris' }, inputs: { features: { dtype: 'DT_DOUBLE', tensor_shape: { dim: [{ size: 1 }, { size: 4 }] }, double_val: [1, 2, 3, 4] } } });
    expect(wrongType).toEqual({ code: grpc.status.INVALID_ARGUMENT, details: 'input "features" has dtype DT_DOUBLE, but the model expects DT_FLOAT' });
    const ragged = await call({ model_spec: { name: 'iris' }, inputs: { features: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 2 }, { size: 4 }] }, float_val: [1, 2, 3] } } });
    expect(ragged.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(ragged.details).toContain('shape [2,4] holds 8 values, but float_val has 3');
    client.close();
  });
});
