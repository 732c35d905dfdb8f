/**
 * The process-wide onnxruntime pool (issue 12, part 4): a few threads host the sessions of
 * many versions, unloads release them in every thread, a flood of one model cannot starve
 * another, and a dead thread comes back with every session it held. Real sessions of the
 * workspace's example models, checked against their training-time references.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readServerEnv } from '../../config/env.js';
import type { NamedTensors } from '../../tensor/tensor.js';
import { loadReference, maxAbsDiff, sleep, WORKSPACE_MODELS } from '../../testing/fixtures.js';
import { defaultHosts, processPoolSize, SMALL_MODEL_BYTES } from './pool-size.js';
import { DEPTH, type HostedVersion, WorkerPool, type WorkerEvent } from './worker-pool.js';

const IRIS = join(WORKSPACE_MODELS, 'iris', '1', 'model.onnx');
const DIGITS = join(WORKSPACE_MODELS, 'digits', '1', 'model.onnx');
const FIELDS = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];

async function irisCase(rows = 5): Promise<{ inputs: () => NamedTensors; probabilities: number[][] }> {
  const ref = await loadReference('iris', 1);
  const records = ref.records.slice(0, rows);
  return {
    // A fresh buffer per run: the pool transfers it to the worker.
    inputs: () => ({ features: { dtype: 'float32', shape: [rows, 4], data: Float32Array.from(records.flatMap((r) => FIELDS.map((f) => r[f] as number))) } }),
    probabilities: ref.outputs['probabilities']!.slice(0, rows) as number[][],
  };
}

function rowsOf(t: NamedTensors[string] | undefined): number[][] {
  const width = t!.shape[1]!;
  const flat = Array.from(t!.data as Float32Array);
  return Array.from({ length: t!.shape[0]! }, (_, i) => flat.slice(i * width, (i + 1) * width));
}

const pools: WorkerPool[] = [];
const hostedAll: HostedVersion[] = [];
function newPool(size: number): WorkerPool {
  const pool = new WorkerPool(size);
  pools.push(pool);
  return pool;
}
async function host(pool: WorkerPool, modelPath: string, hosts: number, onWorkerEvent?: (e: WorkerEvent) => void): Promise<HostedVersion> {
  const v = await pool.host({ modelPath, hosts, intraOpThreads: 1, ...(onWorkerEvent ? { onWorkerEvent } : {}) });
  hostedAll.push(v);
  return v;
}
afterEach(async () => {
  await Promise.all(hostedAll.splice(0).map((v) => v.close()));
  for (const pool of pools.splice(0)) expect(pool.threads()).toEqual([]);
});

async function until(cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await sleep(25);
  }
}

describe('one worker pool for the whole process', () => {
  it('hosts many versions on a fixed number of threads, a small one on one thread, a large one on every thread', async () => {
    const pool = newPool(2);
    const iris = await irisCase();
    const small = await Promise.all(Array.from({ length: 6 }, () => host(pool, IRIS, 1)));
    const large = await host(pool, DIGITS, 2);
    expect(pool.threads()).toHaveLength(2);

    const perWorker = await pool.sessionsPerWorker();
    expect(perWorker).toHaveLength(2);
    // Spread: three small sessions on each thread; the large one on both.
    for (const keys of perWorker) {
      expect(keys.filter((k) => small.some((v) => v.key === k))).toHaveLength(3);
      expect(keys).toContain(large.key);
    }
    expect(small.map((v) => v.occupancy().size)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(large.occupancy().size).toBe(2);

    // Every version answers what the model was trained to answer.
    const answers = await Promise.all(small.flatMap((v) => [v.run(iris.inputs()), v.run(iris.inputs(), ['probabilities'])]));
    for (const out of answers) expect(maxAbsDiff(rowsOf(out['probabilities']), iris.probabilities)).toBeLessThan(1e-5);
    expect(Object.keys(answers[1]!)).toEqual(['probabilities']);
  });

  it('releases an unloaded version in every worker that held it, and stops its threads after the last', async () => {
    const pool = newPool(2);
    const a = await host(pool, DIGITS, 2);
    const b = await host(pool, IRIS, 2);
    expect((await pool.sessionsPerWorker()).map((k) => k.sort())).toEqual([
      [a.key, b.key],
      [a.key, b.key],
    ]);
    await a.close();
    expect(await pool.sessionsPerWorker()).toEqual([[b.key], [b.key]]);
    await expect(a.run({})).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await b.close();
    expect(pool.threads()).toEqual([]);

    // The next version starts again only the thread it is placed on.
    const c = await host(pool, IRIS, 1);
    expect(pool.threads()).toHaveLength(1);
    expect(await pool.sessionsPerWorker()).toEqual([[c.key]]);
  });

  it('fails the load of a broken artifact and keeps no session of it anywhere', async () => {
    const pool = newPool(2);
    const good = await host(pool, IRIS, 2);
    await expect(host(pool, join(WORKSPACE_MODELS, 'iris', '1', 'reference.json'), 2)).rejects.toThrow();
    expect(await pool.sessionsPerWorker()).toEqual([[good.key], [good.key]]);
  });
});

describe('fair scheduling', () => {
  it('serves a cold model promptly while a hot one floods the only worker', async () => {
    const pool = newPool(1);
    const iris = await irisCase(1);
    const hot = await host(pool, IRIS, 1);
    const cold = await host(pool, IRIS, 1);
    const order: string[] = [];
    const runs: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) runs.push(hot.run(iris.inputs()).then(() => order.push('hot')));
    runs.push(cold.run(iris.inputs()).then(() => order.push('cold')));
    await Promise.all(runs);
    expect(order).toHaveLength(301);
    // One FIFO for everything would answer it last (301st); round-robin takes it as soon
    // as the worker has room: after the hot runs already sent, at most DEPTH of them.
    expect(order.indexOf('cold')).toBeLessThanOrEqual(DEPTH);
  });

  it('gives two flooding models equal turns', async () => {
    const pool = newPool(1);
    const iris = await irisCase(1);
    const a = await host(pool, IRIS, 1);
    const b = await host(pool, IRIS, 1);
    const order: string[] = [];
    const runs: Promise<unknown>[] = [];
    for (let i = 0; i < 100; i++) runs.push(a.run(iris.inputs()).then(() => order.push('a')));
    for (let i = 0; i < 100; i++) runs.push(b.run(iris.inputs()).then(() => order.push('b')));
    await Promise.all(runs);
    const first = order.slice(0, 60);
    expect(first.filter((x) => x === 'a').length).toBeGreaterThanOrEqual(28);
    expect(first.filter((x) => x === 'b').length).toBeGreaterThanOrEqual(28);
  });

  it('a version on one worker never runs on two at once', async () => {
    const pool = newPool(2);
    const iris = await irisCase(1);
    const v = await host(pool, IRIS, 1);
    let maxBusy = 0;
    const runs = Array.from({ length: 50 }, () => v.run(iris.inputs()));
    for (let i = 0; i < 5; i++) {
      maxBusy = Math.max(maxBusy, v.occupancy().busy);
      await sleep(1);
    }
    await Promise.all(runs);
    expect(maxBusy).toBe(1);
    expect(v.occupancy()).toEqual({ size: 1, busy: 0, inFlight: 0 });
  });
});

describe('a worker that dies', () => {
  it('fails only its runs, comes back with every session it held, and tells each version', async () => {
    const pool = newPool(1);
    const iris = await irisCase();
    const events: Record<string, string[]> = { a: [], b: [] };
    const a = await host(pool, IRIS, 1, (e) => events['a']!.push(e.kind));
    const b = await host(pool, DIGITS, 1, (e) => events['b']!.push(e.kind));
    const inFlight = Array.from({ length: 6 }, () => a.run(iris.inputs()).then(
      () => 'ok',
      (err: { code?: string; message: string }) => `${err.code}: ${err.message}`,
    ));
    await pool.threads()[0]!.terminate();
    for (const r of await Promise.all(inFlight)) expect(r).toMatch(/^ok$|^UNAVAILABLE: .*(worker|retry)/);

    await until(() => a.ready() && b.ready());
    expect(events).toEqual({ a: ['exited', 'replaced'], b: ['exited', 'replaced'] });
    expect((await pool.sessionsPerWorker())[0]!.sort()).toEqual([a.key, b.key].sort());
    expect(maxAbsDiff(rowsOf((await a.run(iris.inputs()))['probabilities']), iris.probabilities)).toBeLessThan(1e-5);
  });
});

describe('pool size', () => {
  it('is ONNX_WORKERS, else the process share of the cores, at least one', () => {
    expect(processPoolSize(3, 1, 2)).toBe(3);
    expect(processPoolSize(undefined, 1, 8)).toBe(8);
    expect(processPoolSize(undefined, 3, 8)).toBe(2);
    expect(processPoolSize(undefined, 4, 2)).toBe(1);
    expect(readServerEnv({ ONNX_WORKERS: '3' }).onnxWorkers).toBe(3);
    expect(readServerEnv({}).onnxWorkers).toBeUndefined();
    expect(() => readServerEnv({ ONNX_WORKERS: '0' })).toThrow(/ONNX_WORKERS="0" must be a positive integer/);
    expect(() => readServerEnv({ ONNX_WORKERS: 'two' })).toThrow(/ONNX_WORKERS/);
  });

  it('places a small model on one worker and a large one on all by default', () => {
    expect(defaultHosts(SMALL_MODEL_BYTES - 1, 4)).toBe(1);
    expect(defaultHosts(SMALL_MODEL_BYTES, 4)).toBe(4);
  });
});
