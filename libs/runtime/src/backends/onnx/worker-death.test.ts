/**
 * Inference worker threads killed under a served version (issue 8, finding 1): the dead
 * worker is replaced with a log line and a metric; a version that cannot keep any worker
 * alive is not AVAILABLE, not ready, says why and answers 503; the process never exits.
 */
import { copyFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelServer } from '../../server/model-server.js';
import { copyModel, sleep, startTestServer, WORKSPACE_MODELS } from '../../testing/fixtures.js';
import type { HostedVersion } from './worker-pool.js';

const record = { Island: 'Biscoe', 'Beak Length (mm)': 45.1, 'Beak Depth (mm)': 14.5, 'Flipper Length (mm)': 215, 'Body Mass (g)': 5000, Sex: 'FEMALE' };

let root: string;
let server: ModelServer;
const exits: number[] = [];
const onExit = (code: number) => exits.push(code ?? 0);

beforeAll(async () => {
  process.on('exit', onExit);
  // One worker: the smallest pool, where a single death empties it.
  root = await copyModel('penguins', [1], { versionPolicy: { latest: { numVersions: 1 } }, labels: {}, onnx: { workers: 1, intraOpThreads: 1 } });
  server = await startTestServer({ models: ['penguins'], modelsDir: root });
});
afterAll(async () => {
  process.off('exit', onExit);
  await server.close();
  await rm(root, { recursive: true, force: true });
});

const poolOf = () => (server.models.get('penguins').repository.resolve().backend as unknown as { hosted: HostedVersion }).hosted;
const score = () => request(server.app).post('/get_score').send({ data: [record] });
const status = async () => (await request(server.app).get('/v1/models/penguins')).body.model_version_status[0] as { state: string; status: { error_message: string } };
async function until(cond: () => boolean | Promise<boolean>, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await sleep(25);
  }
}

describe('a killed inference worker', () => {
  it('is replaced; requests meanwhile get a clean 503 or an answer, never a crash', async () => {
    expect((await score()).body.data[0].label).toBe('Gentoo');
    const pool = poolOf();
    expect(pool.size).toBe(1);

    const inFlight = Promise.all(Array.from({ length: 5 }, score));
    await pool.threads()[0]!.terminate();
    const during = [...(await inFlight), ...(await Promise.all(Array.from({ length: 5 }, score)))];
    for (const res of during) {
      expect([200, 503]).toContain(res.status);
      if (res.status === 503) expect(res.body.error).toMatch(/worker|retry/);
    }

    await until(() => pool.size === 1);
    const after = await score();
    expect(after.status).toBe(200);
    expect(after.body.data[0].label).toBe('Gentoo');
    expect((await status()).state).toBe('AVAILABLE');
    const metrics = (await request(server.app).get('/metrics')).text;
    expect(metrics).toMatch(/modelyard_inference_worker_events_total\{model="penguins",version="1",event="exited"\} 1/);
    expect(metrics).toMatch(/modelyard_inference_worker_events_total\{model="penguins",version="1",event="replaced"\} 1/);
    expect(exits).toEqual([]);
  });

  it('that cannot be replaced makes the version unavailable with the reason, then recovers', async () => {
    const modelFile = join(root, 'penguins', '1', 'model.onnx');
    // The artifact goes bad on disk, so a fresh worker cannot load it.
    await writeFile(modelFile, 'not an onnx graph any more');
    const pool = poolOf();
    for (const t of pool.threads()) await t.terminate();

    await until(async () => (await status()).state !== 'AVAILABLE');
    const s = await status();
    expect(s.status.error_message).toContain('no inference worker is running');
    await until(async () => (await status()).status.error_message.includes('restarting one failed'));
    expect((await request(server.app).get('/v2/health/ready')).status).toBe(503);
    const refused = await score();
    expect(refused.status).toBe(503);
    expect(refused.body.error).toContain('no inference worker is running');
    const v1 = await request(server.app).post('/v1/models/penguins:predict').send({ instances: [{ island: 'Biscoe', bill_length_mm: 45.1, bill_depth_mm: 14.5, flipper_length_mm: 215, body_mass_g: 5000, sex: 'FEMALE' }] });
    expect(v1.status).toBe(503);
    expect(v1.body.error).toContain('no inference worker is running');
    expect((await request(server.app).get('/metrics')).text).toMatch(/event="replace-failed"\} [1-9]/);

    // The artifact is good again: the retry brings a worker back, and the version with it.
    await copyFile(join(WORKSPACE_MODELS, 'penguins', '1', 'model.onnx'), modelFile);
    await until(async () => (await status()).state === 'AVAILABLE');
    expect((await request(server.app).get('/v2/health/ready')).status).toBe(200);
    expect((await score()).body.data[0].label).toBe('Gentoo');
    expect(exits).toEqual([]);
  });
});
