/**
 * The v2 backend against a real Open Inference Protocol v2 peer over real sockets: a
 * modelyard app serving iris and penguins on /v2 (which this runtime implements, binary
 * tensor extension included), as a Triton, KServe or MLServer graph service would. The
 * logic app in front validates and builds the tensors; the graph runs on the peer.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelServer } from '../../server/model-server.js';
import { serve, type RunningServer } from '../../server/serve.js';
import { freePort } from '../../testing/app-process.js';
import { loadReference, maxAbsDiff, sleep, startTestServer, WORKSPACE_MODELS, type Reference } from '../../testing/fixtures.js';
import { V2RestClient } from './v2-client.js';

const FIELDS = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
let peer: RunningServer | undefined;
let peerPort: number;
let iris: Reference;
let penguins: Reference;

const startPeer = async () => {
  peer = await serve({ model: ['iris', 'penguins'], env: { host: '127.0.0.1', port: peerPort, modelsDir: WORKSPACE_MODELS, logLevel: 'silent' }, handleSignals: false });
};
/** Inferences the peer ran (its own metric), to tell what reached it. */
const peerInferences = async () => {
  const text = await (await fetch(`http://127.0.0.1:${peerPort}/metrics`)).text();
  return [...text.matchAll(/^modelyard_inference_duration_seconds_count\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
};

beforeAll(async () => {
  [iris, penguins] = await Promise.all([loadReference('iris', 1), loadReference('penguins', 1)]);
  peerPort = await freePort();
  await startPeer();
});
afterAll(async () => {
  await peer?.shutdown();
});

/** A logic app for `model` (iris or penguins) whose graph runs on the peer over v2. */
async function logicApp(model: 'iris' | 'penguins', v2: Record<string, unknown>): Promise<ModelServer> {
  const dir = await mkdtemp(join(tmpdir(), 'logic-v2-'));
  const name = `${model}-logic`;
  await mkdir(join(dir, name, '1'), { recursive: true });
  await writeFile(join(dir, name, '1', 'model.onnx'), ''); // what the graph image bakes in; the logic app only sees the version
  const config = JSON.parse(await readFile(join(WORKSPACE_MODELS, model, 'model.json'), 'utf8')) as Record<string, unknown>;
  delete config['versionPolicy'];
  delete config['labels'];
  delete config['onnx']; // the in-process backend's own settings
  await writeFile(join(dir, name, 'model.json'), JSON.stringify({ ...config, name, backend: 'v2', v2: { url: `http://127.0.0.1:${peerPort}`, model, ...v2 } }));
  return startTestServer({ models: [name], modelsDir: dir });
}

describe('the v2 client', () => {
  it.each([
    ['auto', true],
    ['never', false],
  ] as const)('binary %s: reads the signature from the metadata and uses the extension only when offered and wanted', async (binary, expected) => {
    const client = new V2RestClient({ address: `http://127.0.0.1:${peerPort}`, model: 'iris', version: 1, binary, timeoutMs: 2000, retries: 0, backoffMs: 0 });
    const signature = await client.signature();
    expect(signature.inputs).toEqual([{ name: 'features', dtype: 'float32', shape: [-1, 4] }]);
    expect(client.usesBinary).toBe(expected);
    const rows = iris.records.map((r) => FIELDS.map((f) => r[f] as number));
    const out = await client.infer({ features: { dtype: 'float32', shape: [rows.length, 4], data: Float32Array.from(rows.flat()) } }, signature);
    expect(out['class']!.dtype).toBe('int64');
    expect([...(out['class']!.data as BigInt64Array)].map(Number)).toEqual(iris.outputs['class']);
    expect(out['probabilities']!.shape).toEqual([rows.length, 3]);
    expect(await client.ready()).toBe(true);
  });

  it('a model the peer does not have is a load failure naming it, not a retry', async () => {
    const client = new V2RestClient({ address: `http://127.0.0.1:${peerPort}`, model: 'nope', version: undefined, binary: 'auto', timeoutMs: 2000, retries: 0, backoffMs: 0 });
    await expect(client.signature()).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('nope') });
  });
});

describe.each(['auto', 'never'] as const)('v2 backend, binary %s', (binary) => {
  let logic: ModelServer;
  let logicPenguins: ModelServer;
  beforeAll(async () => {
    [logic, logicPenguins] = await Promise.all([logicApp('iris', { binary }), logicApp('penguins', { binary })]);
  });
  afterAll(async () => {
    await Promise.all([logic.close(), logicPenguins.close()]);
  });

  it('serves every protocol with the reference predictions', async () => {
    const meta = await request(logic.app).get('/v2/models/iris-logic');
    expect(meta.body).toMatchObject({ platform: 'open_inference_v2', inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }] });

    const legacy = await request(logic.app).post('/get_score').send({ data: iris.records });
    expect(legacy.status).toBe(200);
    expect(maxAbsDiff(legacy.body.data.map((d: Record<string, number>) => Object.values(d)), iris.outputs['probabilities'])).toBeLessThan(1e-5);

    const rows = iris.records.map((r) => FIELDS.map((f) => r[f]));
    const v1 = await request(logic.app).post('/v1/models/iris-logic:predict').send(JSON.stringify({ instances: rows }));
    expect(v1.status).toBe(200);
    expect((JSON.parse(v1.text).predictions as { class: number }[]).map((p) => p.class)).toEqual(iris.outputs['class']);

    const v2 = await request(logic.app)
      .post('/v2/models/iris-logic/infer')
      .send({ inputs: [{ name: 'features', shape: [rows.length, 4], datatype: 'FP32', data: rows.flat() }], outputs: [{ name: 'class' }] });
    expect(v2.status).toBe(200);
    expect(v2.body.outputs).toHaveLength(1);
    expect(v2.body.outputs[0].data).toEqual(iris.outputs['class']);
  });

  it('strings both ways (BYTES tensors): penguins labels and probabilities match the reference', async () => {
    const res = await request(logicPenguins.app).post('/get_score').send({ data: penguins.records });
    expect(res.status).toBe(200);
    expect(res.body.data.map((d: { label: string }) => d.label)).toEqual(penguins.outputs['label']);
    // The legacy API keys probabilities by class name (model.json's classes).
    const rows = res.body.data.map((d: { probabilities: Record<string, number> }) => ['Adelie', 'Chinstrap', 'Gentoo'].map((c) => d.probabilities[c]));
    expect(maxAbsDiff(rows, penguins.outputs['probabilities'])).toBeLessThan(1e-5);
  });

  it('validates in the logic app: the peer never sees a bad request', async () => {
    const before = await peerInferences();
    const res = await request(logic.app).post('/get_score').send({ data: [{ sepal_length: 'long' }] });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('field "sepal_length" of record 0 must be a number or null, got the string "long"');
    expect(await peerInferences()).toBe(before);
  });
});

describe('v2 backend when the peer dies', () => {
  let logic: ModelServer;
  beforeAll(async () => {
    logic = await logicApp('iris', { timeoutMs: 1000, retries: 1, backoffMs: 20, breakerThreshold: 3, breakerCooldownMs: 400, statusPollMs: 100 });
  });
  afterAll(() => logic.close());
  const scores = () => request(logic.app).post('/get_score').send({ data: iris.records });

  it('503 fast with the reason, the circuit opens, readiness off; recovers without a restart', async () => {
    expect((await scores()).status).toBe(200);
    await peer!.shutdown();
    peer = undefined;
    const started = Date.now();
    const down = await scores();
    expect(down.status).toBe(503);
    expect(down.body.error).toMatch(/graph service at http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\)/);
    expect(Date.now() - started).toBeLessThan(1000);

    for (let i = 0; i < 3; i++) await scores();
    const open = await scores();
    expect(open.status).toBe(503);
    expect(open.body.error).toMatch(/failed \d+ times in a row; not calling it/);
    expect((await request(logic.app).get('/v2/health/ready')).status).toBe(503);
    const status = await request(logic.app).get('/v1/models/iris-logic');
    expect(status.body.model_version_status[0].state).toBe('LOADING');

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

describe('v2 backend when the peer is not up at start', () => {
  it('keeps retrying the load (RetryLoadError) and serves once the peer comes', async () => {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'logic-v2-late-'));
    await mkdir(join(dir, 'late', '1'), { recursive: true });
    await writeFile(join(dir, 'late', '1', 'model.onnx'), '');
    const config = JSON.parse(await readFile(join(WORKSPACE_MODELS, 'iris', 'model.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, 'late', 'model.json'), JSON.stringify({ ...config, name: 'late', backend: 'v2', pollSeconds: 0.1, v2: { url: `http://127.0.0.1:${port}`, model: 'iris', retries: 0 } }));
    const logic = await startTestServer({ models: ['late'], modelsDir: dir });
    let late: RunningServer | undefined;
    try {
      expect((await request(logic.app).post('/get_score').send({ data: iris.records })).status).toBe(503);
      late = await serve({ model: 'iris', env: { host: '127.0.0.1', port, modelsDir: WORKSPACE_MODELS, logLevel: 'silent' }, handleSignals: false });
      let served = false;
      for (let i = 0; i < 50 && !served; i++) {
        await sleep(100);
        served = (await request(logic.app).post('/get_score').send({ data: iris.records })).status === 200;
      }
      expect(served).toBe(true);
    } finally {
      await logic.close();
      await late?.shutdown();
    }
  });
});
