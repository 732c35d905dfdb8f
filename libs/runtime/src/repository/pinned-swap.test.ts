/**
 * A corrupt new version must not reduce what is served (issue 8, finding 7): with traffic
 * pinned to labels/stable (→ 1) and versions/1, a truncated model.onnx dropped in as
 * version 3 fails to load, and version 1 is never unloaded on its account.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelServer } from '../server/model-server.js';
import { copyModel, placeVersion, sleep, startTestServer, WORKSPACE_MODELS } from '../testing/fixtures.js';

let root: string;
let server: ModelServer;

const instance = { island: 'Dream', bill_length_mm: 46.5, bill_depth_mm: 17.9, flipper_length_mm: 192, body_mass_g: 3500, sex: 'FEMALE' };

beforeAll(async () => {
  // Two versions served (latest 2), the stable label on the older one.
  root = await copyModel('penguins', [1, 2], { versionPolicy: { latest: { numVersions: 2 } }, labels: { stable: 1, canary: 2 }, pollSeconds: 0.1 });
  server = await startTestServer({ models: ['penguins'], modelsDir: root });
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

const status = async () =>
  (await request(server.app).get('/v1/models/penguins')).body.model_version_status as { version: string; state: string }[];

describe('a corrupt new version while traffic is pinned to an older one', () => {
  it('answers every pinned request and never unloads version 1', async () => {
    const statuses: number[] = [];
    const states1 = new Set<string>();
    let done = false;
    const loop = async (path: string) => {
      while (!done) {
        const res = await request(server.app).post(path).send({ instances: [instance] });
        statuses.push(res.status);
      }
    };
    const loops = ['/v1/models/penguins/labels/stable:predict', '/v1/models/penguins/versions/1:predict'].flatMap((p) => [loop(p), loop(p)]);
    await sleep(200);

    const whole = await readFile(join(WORKSPACE_MODELS, 'penguins', '2', 'model.onnx'));
    await placeVersion(root, 'penguins', 3, (dir) => writeFile(join(dir, 'model.onnx'), whole.subarray(0, Math.floor(whole.length / 2))));

    // Until version 3 has failed, and a few poll intervals more.
    const started = Date.now();
    let failedAt: number | undefined;
    while (Date.now() - started < 20_000) {
      const s = await status();
      states1.add(s.find((v) => v.version === '1')?.state ?? 'absent');
      if (failedAt === undefined && s.some((v) => v.version === '3' && v.state === 'END')) failedAt = Date.now();
      if (failedAt !== undefined && Date.now() - failedAt > 600) break;
      await sleep(25);
    }
    done = true;
    await Promise.all(loops);

    expect(failedAt).toBeDefined();
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect([...states1]).toEqual(['AVAILABLE']);
    const metrics = (await request(server.app).get('/metrics')).text;
    expect(metrics).not.toMatch(/modelyard_model_unloads_total\{model="penguins",version="1"\}/);
    expect((await status()).map((v) => [v.version, v.state])).toEqual([
      ['3', 'END'],
      ['2', 'AVAILABLE'],
      ['1', 'AVAILABLE'],
    ]);
  });
});
