/**
 * The yard's cache over real sockets and real onnxruntime sessions: copies of the iris model
 * under several names, loaded on their first request, unloaded least recently used first by
 * MAX_LOADED_MODELS or the measured memory budget, never while a request holds them; a load
 * that takes too long or fails is a 503 with Retry-After; the state APIs tell the truth.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Hooks } from '../inference/hooks.js';
import { createModelServer, type ModelServer } from '../server/model-server.js';
import { loadReference, maxAbsDiff, silentLogger, sleep, WORKSPACE_MODELS, type Reference } from '../testing/fixtures.js';
import { makeYardModels, referenceRows } from '../testing/yard-models.js';
import type { YardPolicy } from './model-cache.js';

const NAMES = ['a', 'b', 'c', 'd'];
let modelsDir: string;
let iris: Reference;
let rows: number[][];

beforeAll(async () => {
  modelsDir = await makeYardModels(NAMES.map((name) => ({ name, from: 'iris' })));
  iris = await loadReference('iris', 1);
  rows = referenceRows('iris', iris.records.slice(0, 20));
});

interface Yard {
  server: ModelServer;
  http: Server;
  url: string;
}
let running: Yard[] = [];
afterEach(async () => {
  for (const y of running) {
    y.http.close();
    await y.server.close();
  }
  running = [];
});

async function startYard(policy: Partial<YardPolicy>, options: { dir?: string; names?: string[]; hooks?: Record<string, Hooks> } = {}): Promise<Yard> {
  const server = await createModelServer({
    modelsDir: options.dir ?? modelsDir,
    models: options.names ?? NAMES,
    logger: silentLogger(),
    hooks: options.hooks ?? {},
    yard: { maxLoaded: 0, memoryBudgetMb: 0, loadTimeoutMs: 60_000, retryAfterSeconds: 1, ...policy },
  });
  const http = createServer(server.app);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const yard = { server, http, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
  running.push(yard);
  return yard;
}

async function predict(yard: Yard, model: string) {
  const res = await fetch(`${yard.url}/v1/models/${model}:predict`, { method: 'POST', body: JSON.stringify({ instances: rows.map((features) => ({ features })) }) });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { predictions?: { probabilities: number[] }[]; error?: string } };
}

/** A prediction that must succeed and equal scikit-learn's reference. */
async function expectReference(yard: Yard, model: string): Promise<void> {
  const { status, body } = await predict(yard, model);
  expect(status, JSON.stringify(body)).toBe(200);
  expect(maxAbsDiff(body.predictions!.map((p) => p.probabilities), iris.outputs['probabilities']!.slice(0, 20))).toBeLessThan(1e-5);
}

async function states(yard: Yard): Promise<Record<string, string>> {
  const res = await fetch(`${yard.url}/v2/repository/index`, { method: 'POST' });
  expect(res.status).toBe(200);
  const index = (await res.json()) as { name: string; modelyard_state: string }[];
  return Object.fromEntries(index.map((m) => [m.name, m.modelyard_state]));
}

/** Unloads run in the background after the load that caused them: wait until they settle. */
async function settled(yard: Yard): Promise<Record<string, string>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const s = await states(yard);
    if (!Object.values(s).some((v) => v === 'unloading' || v === 'loading') || Date.now() > deadline) return s;
    await sleep(20);
  }
}

async function metric(yard: Yard, name: string): Promise<number> {
  const text = await (await fetch(`${yard.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('load on demand', () => {
  it('starts with nothing loaded and ready; the first request loads the model and answers its reference', async () => {
    const yard = await startYard({});
    expect(await states(yard)).toEqual({ a: 'unloaded', b: 'unloaded', c: 'unloaded', d: 'unloaded' });
    // Readiness does not wait for the models: the yard can load any of them on demand.
    expect((await fetch(`${yard.url}/v2/health/ready`)).status).toBe(200);
    await expectReference(yard, 'b');
    expect((await states(yard))['b']).toBe('loaded');
    await expectReference(yard, 'b');
    expect(await metric(yard, 'modelyard_yard_requests_total{result="miss"}')).toBe(1);
    expect(await metric(yard, 'modelyard_yard_requests_total{result="hit"}')).toBe(1);
    expect(await metric(yard, 'modelyard_yard_loads_total{result="success"}')).toBe(1);
    expect(await metric(yard, 'modelyard_yard_load_duration_seconds_count')).toBe(1);
    expect(await metric(yard, 'modelyard_yard_loaded_models')).toBe(1);
  }, 60_000);

  it('first requests to several models at once: loads queue one at a time (MODEL_LOADS_AT_ONCE), all answer', async () => {
    const yard = await startYard({ loadsAtOnce: 1 });
    const answers = await Promise.all(NAMES.map((name) => predict(yard, name)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    for (const a of answers) expect(maxAbsDiff(a.body.predictions!.map((p) => p.probabilities), iris.outputs['probabilities']!.slice(0, 20))).toBeLessThan(1e-5);
    expect(await metric(yard, 'modelyard_yard_loads_total{result="success"}')).toBe(4);
    expect(await states(yard)).toEqual({ a: 'loaded', b: 'loaded', c: 'loaded', d: 'loaded' });
  }, 60_000);

  it('concurrent first requests share one load', async () => {
    const yard = await startYard({});
    const answers = await Promise.all(Array.from({ length: 8 }, () => predict(yard, 'a')));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(await metric(yard, 'modelyard_yard_loads_total{result="success"}')).toBe(1);
  }, 60_000);
});

describe('unload by policy', () => {
  it('MAX_LOADED_MODELS: the least recently used model leaves, and comes back on its next request', async () => {
    const yard = await startYard({ maxLoaded: 2 });
    await expectReference(yard, 'a');
    await expectReference(yard, 'b');
    await expectReference(yard, 'a'); // a is now more recent than b
    await expectReference(yard, 'c');
    expect(await settled(yard)).toEqual({ a: 'loaded', b: 'unloaded', c: 'loaded', d: 'unloaded' });
    await expectReference(yard, 'b'); // back again: a is the least recent now
    expect(await settled(yard)).toEqual({ a: 'unloaded', b: 'loaded', c: 'loaded', d: 'unloaded' });
    expect(await metric(yard, 'modelyard_yard_unloads_total{reason="max_loaded_models"}')).toBe(2);
    expect(await metric(yard, 'modelyard_yard_loads_total{result="success"}')).toBe(4);
    expect(await metric(yard, 'modelyard_yard_loaded_models')).toBe(2);
  }, 90_000);

  it('MODEL_MEMORY_BUDGET_MB, measured from the process: over it, idle models are unloaded', async () => {
    // A budget below what the process already holds: after each load, every idle model must go.
    const yard = await startYard({ memoryBudgetMb: 1 });
    await expectReference(yard, 'a');
    await expectReference(yard, 'b');
    await expectReference(yard, 'c');
    expect(await settled(yard)).toEqual({ a: 'unloaded', b: 'unloaded', c: 'loaded', d: 'unloaded' });
    expect(await metric(yard, 'modelyard_yard_unloads_total{reason="memory_budget"}')).toBe(2);
  }, 90_000);

  it('never unloads a model with a request in flight; it leaves once that request is done', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    // a's request stops in its preprocess hook until the test lets it go.
    const hooks: Record<string, Hooks> = {
      a: {
        async preprocess(input) {
          entered();
          await gate;
          return input;
        },
      },
    };
    const yard = await startYard({ maxLoaded: 1 }, { hooks });
    const slow = predict(yard, 'a');
    await inside;
    try {
      // b loads over the bound, as a is busy; once b is idle again, b is the one that leaves.
      await expectReference(yard, 'b');
      expect(await settled(yard)).toMatchObject({ a: 'loaded', b: 'unloaded' });
      await expectReference(yard, 'c');
      expect(await settled(yard)).toMatchObject({ a: 'loaded', b: 'unloaded', c: 'unloaded' });
    } finally {
      release();
    }
    const answer = await slow;
    expect(answer.status).toBe(200);
    expect(maxAbsDiff(answer.body.predictions!.map((p) => p.probabilities), iris.outputs['probabilities']!.slice(0, 20))).toBeLessThan(1e-5);
    expect(await metric(yard, 'modelyard_yard_unloads_total{reason="max_loaded_models"}')).toBe(2);
    // Idle now, a is an ordinary candidate: the next load pushes it out.
    await expectReference(yard, 'd');
    expect(await settled(yard)).toMatchObject({ a: 'unloaded', d: 'loaded' });
  }, 90_000);
});

describe('bounded waits and failures', () => {
  it('a load slower than MODEL_LOAD_TIMEOUT_MS is a 503 with Retry-After; the load goes on and the next request is served', async () => {
    // 1 ms: starting a worker thread and an onnxruntime session alone takes longer.
    const yard = await startYard({ loadTimeoutMs: 1, retryAfterSeconds: 3 });
    const first = await predict(yard, 'd');
    expect(first.status).toBe(503);
    expect(first.retryAfter).toBe('3');
    expect(first.body.error).toMatch(/model "d" is still loading after 0.001 s/);
    expect(await metric(yard, 'modelyard_yard_load_timeouts_total')).toBe(1);
    const s = await settled(yard);
    expect(s['d']).toBe('loaded');
    await expectReference(yard, 'd');
  }, 60_000);

  it('a model that fails to load is a 503 with Retry-After naming why, shown as failed, and loads once its artifact is fixed', async () => {
    const dir = await makeYardModels([{ name: 'good', from: 'iris' }, { name: 'broken', from: 'iris' }]);
    await writeFile(join(dir, 'broken', '1', 'model.onnx'), 'not an onnx model');
    const yard = await startYard({ retryAfterSeconds: 1 }, { dir, names: ['good', 'broken'] });
    const res = await fetch(`${yard.url}/v2/models/broken/infer`, {
      method: 'POST',
      body: JSON.stringify({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: rows[0] }] }),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(((await res.json()) as { error: string }).error).toMatch(/model "broken" failed to load \(.+\); retry after 1 s/);
    expect((await states(yard))['broken']).toBe('failed');
    const index = (await (await fetch(`${yard.url}/v2/repository/index`, { method: 'POST' })).json()) as { name: string; state: string; reason: string }[];
    expect(index.find((m) => m.name === 'broken')).toMatchObject({ state: 'UNAVAILABLE', reason: expect.stringMatching(/.+/) });
    expect(await metric(yard, 'modelyard_yard_loads_total{result="failure"}')).toBe(1);
    // The yard stays ready, and its other models serve.
    expect((await fetch(`${yard.url}/v2/health/ready`)).status).toBe(200);
    const good = await fetch(`${yard.url}/models/good/get_score`, { method: 'POST', body: JSON.stringify({ data: iris.records.slice(0, 20) }) });
    expect(good.status).toBe(200);
    const scores = ((await good.json()) as { data: Record<string, number>[] }).data;
    expect(maxAbsDiff(scores.map((s) => Object.values(s)), iris.outputs['probabilities']!.slice(0, 20)), JSON.stringify(scores[0])).toBeLessThan(1e-5);
    // Within Retry-After a failed model is not tried again; after it, with a fixed artifact, it loads.
    await copyFile(join(WORKSPACE_MODELS, 'iris', '1', 'model.onnx'), join(dir, 'broken', '1', 'model.onnx'));
    await sleep(1100);
    const fixed = await predict(yard, 'broken');
    expect(fixed.status).toBe(200);
    expect((await states(yard))['broken']).toBe('loaded');
    await rm(dir, { recursive: true, force: true });
  }, 60_000);
});
