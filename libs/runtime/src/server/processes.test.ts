/**
 * Multi-process mode over real processes on a real port: PROCESSES=2 runs two server
 * processes under a primary. Predictions equal scikit-learn's; /metrics sums both
 * processes; a killed process is replaced; SIGTERM drains requests in flight and exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../testing/app-process.js';
import { loadReference, maxAbsDiff, sleep, WORKSPACE_MODELS, type Reference } from '../testing/fixtures.js';

const WORKSPACE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const ENTRY = 'libs/runtime/src/server/testing-apps/slow-penguins.ts';

/** The server processes: the primary's children, from procfs. */
const childrenOf = (pid: number): number[] =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Sum of a counter's samples whose label set contains `labels`. */
function counter(text: string, name: string, labels: string): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && l.includes(labels))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

let child: ChildProcess;
let url: string;
let stdout = '';
let stderr = '';
let exited: Promise<number | null>;
let reference: Reference;
let probeUrl: string;
const metrics = () => fetch(`${url}/metrics`).then((r) => r.text());
const score = (records: unknown[], id?: string) =>
  fetch(`${url}/get_score`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(id && { 'x-request-id': id }) },
    body: JSON.stringify({ data: records }),
  });

beforeAll(async () => {
  // /get_score answers with the latest version.
  reference = await loadReference('penguins', 2);
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const probePort = await freePort();
  probeUrl = `http://127.0.0.1:${probePort}`;
  child = spawn(process.execPath, ['--import', 'tsx', '--conditions=development', ENTRY], {
    cwd: WORKSPACE,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), MODELS_DIR: WORKSPACE_MODELS, LOG_LEVEL: 'error', PROCESSES: '2', SHUTDOWN_TIMEOUT_MS: '15000', SLOW_MS: '8000', PROBE_PORT: String(probePort), LIVENESS_STALL_MS: '1500' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  exited = new Promise((r) => child.once('exit', (code) => r(code)));
  // Both processes have loaded both penguins versions: the summed load counter says 4.
  await until('both server processes to load the model', async () => {
    const text = await metrics().catch(() => '');
    return counter(text, 'modelyard_model_loads_total', 'result="success"') === 4 ? true : undefined;
  });
}, 120_000);

afterAll(async () => {
  if (child.exitCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
});

describe('PROCESSES=2', () => {
  it('runs two server processes whose answers equal the references', async () => {
    expect(childrenOf(child.pid!)).toHaveLength(2);
    const answers = await Promise.all(Array.from({ length: 12 }, () => score(reference.records).then((r) => r.json())));
    for (const body of answers as { code: number; data: { label: string; probabilities: Record<string, number> }[] }[]) {
      expect(body.code).toBe(200);
      expect(body.data.map((d) => d.label)).toEqual(reference.outputs['label']);
      const probs = body.data.map((d) => [d.probabilities['Adelie'], d.probabilities['Chinstrap'], d.probabilities['Gentoo']]);
      expect(maxAbsDiff(probs, reference.outputs['probabilities'])).toBeLessThan(1e-5);
    }
  });

  it('the primary answers the probes on PROBE_PORT from the processes\' heartbeats; a stopped process fails liveness', async () => {
    const probe = async (path: string) => {
      const res = await fetch(`${probeUrl}${path}`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect(await probe('/v2/health/live')).toEqual({ status: 200, body: { live: true } });
    expect(await probe('/v2/health/ready')).toEqual({ status: 200, body: { ready: true } });
    // A frozen process sends no heartbeat: after LIVENESS_STALL_MS the pod is not live, and
    // not ready (the kubelet would restart it); once it runs again, both come back.
    const [frozen] = childrenOf(child.pid!);
    process.kill(frozen!, 'SIGSTOP');
    try {
      const stalled = await until('liveness to fail', async () => {
        const live = await probe('/v2/health/live');
        return live.status === 503 ? live : undefined;
      }, 15_000);
      expect(stalled.body['live']).toBe(false);
      expect(String(stalled.body['error'])).toMatch(/has not turned for \d+\.\d s \(limit 1.5 s\)/);
      expect((await probe('/v2/health/ready')).status).toBe(503);
    } finally {
      process.kill(frozen!, 'SIGCONT');
    }
    await until('liveness to come back', async () => ((await probe('/v2/health/live')).status === 200 ? true : undefined), 15_000);
    expect(await probe('/v2/health/ready')).toEqual({ status: 200, body: { ready: true } });
  }, 60_000);

  it('/metrics sums the counters of every process', async () => {
    const before = counter(await metrics(), 'modelyard_requests_total', 'protocol="legacy"');
    // Fresh connections each time, so the primary's round-robin spreads them over both processes.
    const n = 20;
    for (let i = 0; i < n; i++) {
      const res = await fetch(`${url}/get_score`, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify({ data: reference.records.slice(0, 2) }) });
      expect(res.status).toBe(200);
    }
    const text = await metrics();
    expect(counter(text, 'modelyard_requests_total', 'protocol="legacy"') - before).toBe(n);
    // Each process loaded each of the two versions once.
    expect(counter(text, 'modelyard_model_loads_total', 'result="success"')).toBe(4);
  });

  it('a killed server process is replaced, with a log line', async () => {
    const [victim, survivor] = childrenOf(child.pid!);
    process.kill(victim!, 'SIGKILL');
    const replacement = await until('a replacement process', () => childrenOf(child.pid!).find((p) => p !== survivor && p !== victim));
    expect(replacement).toBeGreaterThan(0);
    await until('the log line about the replacement', () => (/server process exited unexpectedly; starting a replacement/.test(stderr + stdout) ? true : undefined), 10_000);
    // The replacement loads both versions too: the sum over the live processes is 4 again.
    await until('the replacement to load the model', async () => (counter(await metrics(), 'modelyard_model_loads_total', 'result="success"') === 4 ? true : undefined));
    expect((await score(reference.records.slice(0, 1))).status).toBe(200);
  }, 120_000);

  it('SIGTERM: every process finishes its requests in flight, then the server exits 0', async () => {
    // Hold requests in flight until both processes have some (fresh connections, round-robin;
    // a replacement started by the previous test may begin listening a moment after it loaded).
    const slow = (id: string) =>
      fetch(`${url}/get_score`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': id, connection: 'close' }, body: JSON.stringify({ data: reference.records.slice(0, 3) }) });
    const inFlight: Promise<Response>[] = [];
    const pids = new Set<string>();
    // Bounded by time, not by a count: on a loaded machine the replacement can take seconds
    // between joining (its models loaded) and taking connections, and until then the
    // primary's round-robin has only the survivor to hand them to.
    const deadline = Date.now() + 45_000;
    for (let i = 0; pids.size < 2 && Date.now() < deadline; i++) {
      const id = `slow-${i}`;
      inFlight.push(slow(id));
      const pid = await until(`request ${id} to reach a server process`, () => stdout.match(new RegExp(`IN_FLIGHT ${id} (\\d+)`))?.[1], 30_000);
      pids.add(pid);
      if (pids.size < 2) await sleep(250);
    }
    expect([...pids], `server processes that received a request: ${[...pids].join(', ')} of ${childrenOf(child.pid!).join(', ')}`).toHaveLength(2);
    child.kill('SIGTERM');
    const responses = await Promise.all(inFlight);
    for (const res of responses) {
      expect(res.status).toBe(200);
      expect(((await res.json()) as { data: { label: string }[] }).data.map((d) => d.label)).toEqual(reference.outputs['label']!.slice(0, 3));
    }
    expect(await exited).toBe(0);
  }, 120_000);
});
