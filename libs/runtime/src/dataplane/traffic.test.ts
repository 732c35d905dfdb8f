/**
 * Canary split and shadow traffic on the real penguins versions over a real socket:
 * 10 % of unpinned requests go to the canary, sticky per x-user-id, pinned requests never
 * move, a split edited in model.json applies on its next poll, a canary refused by its
 * self-check gets nothing, and a shadow's disagreement rate equals an offline replay.
 */
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replay } from '../inference/replay.js';
import type { ModelServer } from '../server/model-server.js';
import { copyModel, loadReference, penguinLabelsByOnnx, sleep, startTestServer, syntheticPenguins, WORKSPACE_MODELS, type Reference } from '../testing/fixtures.js';
import { SHADOW_METRICS } from './shadow.js';

const SKEWED = resolve(WORKSPACE_MODELS, '../libs/runtime/src/testing/fixtures/penguins-skewed/model.onnx');

interface Running {
  root: string;
  server: ModelServer;
  http: Server;
  url: string;
}

async function start(configChanges: Record<string, unknown>, versions: number[]): Promise<Running> {
  const root = await copyModel('penguins', versions, { pollSeconds: 0.1, ...configChanges });
  const server = await startTestServer({ models: ['penguins'], modelsDir: root });
  const http = createServer(server.app);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  return { root, server, http, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
}

async function stop(r: Running | undefined): Promise<void> {
  if (!r) return;
  await new Promise<void>((done) => r.http.close(() => done()));
  await r.server.close();
  await rm(r.root, { recursive: true, force: true });
}

const v2Body = (record: Record<string, unknown>) => ({
  inputs: Object.entries({ island: 'Island', bill_length_mm: 'Beak Length (mm)', bill_depth_mm: 'Beak Depth (mm)', flipper_length_mm: 'Flipper Length (mm)', body_mass_g: 'Body Mass (g)', sex: 'Sex' }).map(([name, field]) => {
    const v = record[field];
    const text = name === 'island' || name === 'sex';
    return { name, shape: [1, 1], datatype: text ? 'BYTES' : 'FP32', data: [text ? (v ?? '') : (v ?? NaN)] };
  }),
});

/** `count` requests, `concurrency` at a time; returns the version that answered each. */
async function send(url: string, count: number, options: { path?: string; headers?: (i: number) => Record<string, string>; body?: (i: number) => unknown; concurrency?: number } = {}): Promise<{ versions: string[]; failures: number }> {
  const versions: string[] = new Array(count);
  let failures = 0;
  let next = 0;
  const body = options.body ?? (() => v2Body({ Island: 'Dream', 'Beak Length (mm)': 46.5, 'Beak Depth (mm)': 17.9, 'Flipper Length (mm)': 192, 'Body Mass (g)': 3500, Sex: 'FEMALE' }));
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const res = await fetch(`${url}${options.path ?? '/v2/models/penguins/infer'}`, { method: 'POST', headers: { 'content-type': 'application/json', ...options.headers?.(i) }, body: JSON.stringify(body(i)) });
      const answer = (await res.json()) as { model_version?: string };
      if (res.status !== 200) failures++;
      versions[i] = String(answer.model_version);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 16 }, worker));
  return { versions, failures };
}

const share = (versions: string[], version: string) => versions.filter((v) => v === version).length / versions.length;

async function metricValue(url: string, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('canary split', () => {
  let app: Running | undefined;
  beforeAll(async () => {
    // v1 is stable, v2 the canary (the example's own labels), 10 % of unpinned traffic to it.
    app = await start({ versionPolicy: { latest: { numVersions: 2 } }, traffic: { canary: 10 } }, [1, 2]);
  });
  afterAll(() => stop(app));

  it('sends 10 ± 2 % of 10,000 unpinned requests to the canary, the rest to stable', { timeout: 240_000 }, async () => {
    const { versions, failures } = await send(app!.url, 10_000);
    expect(failures).toBe(0);
    const canary = share(versions, '2');
    console.log(`canary share of 10,000 unpinned requests: ${(canary * 100).toFixed(2)} %`);
    expect(canary).toBeGreaterThanOrEqual(0.08);
    expect(canary).toBeLessThanOrEqual(0.12);
    expect(share(versions, '1') + canary).toBe(1);
  });

  it('is sticky per x-user-id, and pinned requests are never moved', async () => {
    const users = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    const { versions } = await send(app!.url, 800, { headers: (i) => ({ 'x-user-id': users[i % users.length]! }) });
    const byUser = new Map<string, Set<string>>();
    versions.forEach((v, i) => byUser.set(users[i % users.length]!, (byUser.get(users[i % users.length]!) ?? new Set()).add(v)));
    expect([...byUser.values()].every((s) => s.size === 1)).toBe(true);
    const canaryUsers = [...byUser.values()].filter((s) => s.has('2')).length;
    expect(canaryUsers).toBeGreaterThan(0);
    expect(canaryUsers).toBeLessThan(60); // ~20 of 200 expected

    expect(new Set((await send(app!.url, 200, { path: '/v2/models/penguins/versions/1/infer' })).versions)).toEqual(new Set(['1']));
    expect(new Set((await send(app!.url, 200, { path: '/v2/models/penguins/versions/2/infer' })).versions)).toEqual(new Set(['2']));
  });

  it('a split edited in model.json applies on its next poll, without a restart', { timeout: 120_000 }, async () => {
    const file = join(app!.root, 'penguins', 'model.json');
    const config = JSON.parse(await readFile(file, 'utf8'));
    // Waits for the config poll to apply `canary`, each wait with its own deadline: the
    // 2000 requests between the two edits can take many seconds on a loaded machine.
    const applied = async (canary: number) => {
      const deadline = Date.now() + 20_000;
      while (app!.server.models.get('penguins').config.traffic?.canary !== canary && Date.now() < deadline) await sleep(50);
      expect(app!.server.models.get('penguins').config.traffic?.canary).toBe(canary);
    };
    await writeFile(file, JSON.stringify({ ...config, traffic: { canary: 50 } }));
    await applied(50);
    const half = share((await send(app!.url, 2000)).versions, '2');
    expect(half).toBeGreaterThan(0.44);
    expect(half).toBeLessThan(0.56);

    await writeFile(file, JSON.stringify({ ...config, traffic: { canary: 0 } }));
    await applied(0);
    expect(new Set((await send(app!.url, 300)).versions)).toEqual(new Set(['1']));
  });
});

describe('a canary that failed its self-check', () => {
  let app: Running | undefined;
  afterAll(() => stop(app));

  it('never receives traffic: every unpinned request goes to stable', { timeout: 120_000 }, async () => {
    app = await start({ versionPolicy: { latest: { numVersions: 2 } }, traffic: { canary: 50 } }, [1]);
    await mkdir(join(app.root, 'penguins', '2'));
    await copyFile(join(WORKSPACE_MODELS, 'penguins', '1', 'reference.json'), join(app.root, 'penguins', '2', 'reference.json'));
    await copyFile(SKEWED, join(app.root, 'penguins', '2', 'model.onnx'));
    const started = Date.now();
    const state = () => app!.server.models.get('penguins').repository.status().find((s) => s.version === 2)?.state;
    while (state() !== 'END' && Date.now() - started < 20_000) await sleep(50);
    expect(state()).toBe('END');
    const { versions, failures } = await send(app.url, 1000);
    expect(failures).toBe(0);
    expect(new Set(versions)).toEqual(new Set(['1']));
  });
});

describe('shadow traffic', () => {
  let app: Running | undefined;
  let ref: Reference;
  beforeAll(async () => {
    ref = await loadReference('penguins', 1);
    // Callers get stable (v1); every request is mirrored to the canary (v2).
    app = await start({ versionPolicy: { latest: { numVersions: 2 } }, traffic: { shadow: { to: 'canary', percent: 100, maxInFlight: 1000 } } }, [1, 2]);
  });
  afterAll(() => stop(app));

  it('never returns the shadow answer, and its disagreement rate equals an offline replay of the same requests', { timeout: 180_000 }, async () => {
    // The references (where v1 and v2 agree) and unseen penguins (where they sometimes do not).
    const records = [...ref.records, ...syntheticPenguins(150)];
    // get_score has no version in its answer: the metrics below say who answered.
    const { failures } = await send(app!.url, records.length, { path: '/get_score', body: (i) => ({ data: [records[i]] }), concurrency: 8 });
    expect(failures).toBe(0);
    const labels = { model: 'penguins', serving: '1', shadow: '2' };
    const started = Date.now();
    while ((await metricValue(app!.url, SHADOW_METRICS.requests, { ...labels, result: 'compared' })) < records.length && Date.now() - started < 30_000) await sleep(100);
    // Room for every mirror (maxInFlight): none skipped on a loaded machine, so the rows are exactly the requests'.
    expect(await metricValue(app!.url, SHADOW_METRICS.requests, { ...labels, result: 'skipped' })).toBe(0);
    expect(await metricValue(app!.url, SHADOW_METRICS.requests, { ...labels, result: 'compared' })).toBe(records.length);
    expect(await metricValue(app!.url, 'modelyard_requests_total', { model: 'penguins', version: '1', protocol: 'legacy', status: '200' })).toBe(records.length);
    expect(await metricValue(app!.url, 'modelyard_requests_total', { model: 'penguins', version: '2' })).toBe(0);

    const rows = await metricValue(app!.url, SHADOW_METRICS.rows, labels);
    const flips = await metricValue(app!.url, SHADOW_METRICS.flips, labels);
    expect(rows).toBe(records.length);

    // Offline: the same requests replayed in process against v1 and v2.
    const offline = await replay({
      config: app!.server.models.get('penguins').config,
      current: { name: '1', versionDir: join(app!.root, 'penguins', '1'), version: 1 },
      candidate: { name: '2', versionDir: join(app!.root, 'penguins', '2'), version: 2 },
      requests: records.map((r) => ({ time: '', model: 'penguins', version: 1, records: [r] })),
    });
    expect(offline.rows).toBe(rows);
    expect(flips).toBe(offline.labelFlips);
    expect(flips / rows).toBe(offline.labelFlipRate);
    // And independently of the runtime: onnxruntime on each artifact, tensors built by hand.
    const [v1, v2] = await Promise.all([1, 2].map((v) => penguinLabelsByOnnx(join(WORKSPACE_MODELS, 'penguins', String(v), 'model.onnx'), records)));
    const independent = v1!.filter((l, i) => l !== v2![i]).length;
    expect(independent).toBeGreaterThan(0);
    expect(flips).toBe(independent);
    console.log(`shadow v1 → v2: ${flips} label flips in ${rows} rows (${((flips / rows) * 100).toFixed(2)} %)`);

    const status = (await (await fetch(`${app!.url}/status.json`)).json()) as { models: { gates?: { shadow?: { rows: number; labelFlips: number } } }[] };
    expect(status.models[0]!.gates?.shadow).toMatchObject({ rows, labelFlips: flips });
  });
});
