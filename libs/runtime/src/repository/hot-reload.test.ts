/**
 * Versions dropped into the folder while requests run: picked up with zero failed
 * requests; a corrupt or mismatched version is refused while the good one keeps serving.
 */
import { rm, writeFile, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelServer } from '../server/model-server.js';
import { addVersion, copyModel, loadReference, maxAbsDiff, placeVersion, sleep, startTestServer, WORKSPACE_MODELS } from '../testing/fixtures.js';

let root: string;
let server: ModelServer;

const record = { Island: 'Dream', 'Beak Length (mm)': 46.5, 'Beak Depth (mm)': 17.9, 'Flipper Length (mm)': 192, 'Body Mass (g)': 3500, Sex: 'FEMALE' };
const v2Body = {
  inputs: [
    { name: 'island', shape: [1, 1], datatype: 'BYTES', data: ['Dream'] },
    { name: 'bill_length_mm', shape: [1, 1], datatype: 'FP32', data: [46.5] },
    { name: 'bill_depth_mm', shape: [1, 1], datatype: 'FP32', data: [17.9] },
    { name: 'flipper_length_mm', shape: [1, 1], datatype: 'FP32', data: [192] },
    { name: 'body_mass_g', shape: [1, 1], datatype: 'FP32', data: [3500] },
    { name: 'sex', shape: [1, 1], datatype: 'BYTES', data: ['FEMALE'] },
  ],
};

/** Requests from `workers` concurrent loops until `until()` holds (bounded by `maxMs`). */
async function traffic(until: () => Promise<boolean>, maxMs = 20_000) {
  const statuses: number[] = [];
  const versions: string[] = [];
  let done = false;
  const loop = async () => {
    while (!done) {
      const res = await request(server.app).post('/v2/models/penguins/infer').send(v2Body);
      statuses.push(res.status);
      if (res.status === 200) versions.push(res.body.model_version);
    }
  };
  const loops = Array.from({ length: 4 }, loop);
  const started = Date.now();
  while (!(await until()) && Date.now() - started < maxMs) await sleep(50);
  done = true;
  await Promise.all(loops);
  return { statuses, versions };
}

const status = async () => (await request(server.app).get('/v1/models/penguins')).body.model_version_status as { version: string; state: string; status: { error_code: string; error_message: string } }[];

beforeAll(async () => {
  root = await copyModel('penguins', [1], { versionPolicy: { latest: { numVersions: 1 } }, labels: {}, pollSeconds: 0.1 });
  server = await startTestServer({ models: ['penguins'], modelsDir: root });
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

describe('hot reload', () => {
  it('swaps in a new version under load with zero failed requests, then unloads the old one', async () => {
    const ref2 = await loadReference('penguins', 2);
    let copied = false;
    const run = traffic(async () => copied && (await status()).some((s) => s.version === '1' && s.state === 'END'));
    await sleep(200);
    await addVersion(root, 'penguins', 2);
    copied = true;
    const { statuses, versions } = await run;

    expect(statuses.length).toBeGreaterThan(10);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(versions[0]).toBe('1');
    expect(versions.at(-1)).toBe('2');
    // Once 2 answered, 1 never did again: the swap is atomic.
    expect(versions.slice(versions.indexOf('2'))).not.toContain('1');
    expect((await status()).map((s) => [s.version, s.state])).toEqual([['2', 'AVAILABLE'], ['1', 'END']]);

    const res = await request(server.app).post('/get_score').send({ data: ref2.records });
    expect(maxAbsDiff(res.body.data.map((d: { label: string }) => d.label), ref2.outputs['label'])).toBe(0);
    const metrics = (await request(server.app).get('/metrics')).text;
    expect(metrics).toMatch(/modelyard_model_unloads_total\{model="penguins",version="1"\} 1/);
  });

  it('refuses a corrupt version, keeps serving the good one, and counts the failure', async () => {
    let seen = false;
    const run = traffic(async () => (seen = (await status()).some((s) => s.version === '3' && s.state === 'END')));
    await placeVersion(root, 'penguins', 3, (dir) => writeFile(join(dir, 'model.onnx'), 'this is not an onnx graph'));
    const { statuses, versions } = await run;
    expect(seen).toBe(true);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(new Set(versions)).toEqual(new Set(['2']));
    const v3 = (await status()).find((s) => s.version === '3')!;
    expect(v3.status.error_code).not.toBe('OK');
    expect(v3.status.error_message.length).toBeGreaterThan(0);
    expect((await request(server.app).get('/v1/models/penguins/versions/3/metadata')).status).toBe(404);
    expect((await request(server.app).get('/metrics')).text).toMatch(/modelyard_model_loads_total\{model="penguins",version="3",result="failure"\} 1/);
  });

  it('refuses a version whose graph does not match the config, naming the mismatch', async () => {
    await placeVersion(root, 'penguins', 4, (dir) => copyFile(join(WORKSPACE_MODELS, 'iris', '1', 'model.onnx'), join(dir, 'model.onnx')));
    await traffic(async () => (await status()).some((s) => s.version === '4' && s.state === 'END'));
    const v4 = (await status()).find((s) => s.version === '4')!;
    expect(v4.status.error_message).toContain('the model does not match its config');
    expect(v4.status.error_message).toContain('config input "island" is not an input of the model');
    expect((await request(server.app).post('/v2/models/penguins/infer').send(v2Body)).body.model_version).toBe('2');
  });

  it('retries a failed version once its artifact is rewritten (a copy that finished late)', async () => {
    await rm(join(root, 'penguins', '4'), { recursive: true });
    await copyFile(join(WORKSPACE_MODELS, 'penguins', '1', 'model.onnx'), join(root, 'penguins', '3', 'model.onnx'));
    const { statuses } = await traffic(async () => (await status()).some((s) => s.version === '3' && s.state === 'AVAILABLE'));
    expect(statuses.every((s) => s === 200)).toBe(true);
    const res = await request(server.app).post('/get_score').send({ data: [record] });
    const ref1 = await loadReference('penguins', 1);
    const i = ref1.records.findIndex((r) => r['Beak Length (mm)'] === 46.5 && r['Body Mass (g)'] === 3500);
    if (i >= 0) expect(res.body.data[0].label).toBe(ref1.outputs['label']![i]);
    expect((await status())[0]).toMatchObject({ version: '3', state: 'AVAILABLE' });
  });
});
