/**
 * PROBE_PORT in one process: the probes are answered by their own thread from shared
 * memory. The serving event loop is blocked for real here (spawnSync holds it while a child
 * process asks the probe port), which is what an overloaded or stuck loop looks like.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from '../serve.js';
import { WORKSPACE_MODELS } from '../../testing/fixtures.js';

/** A GET from another process, while this process's event loop stays blocked. */
function getWhileBlocked(url: string, delayMs = 0): { status: number; body: Record<string, unknown> } {
  const script = `setTimeout(() => fetch(${JSON.stringify(url)}).then(async (r) => console.log(JSON.stringify({ status: r.status, body: await r.json() }))), ${delayMs});`;
  const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
  if (out.status !== 0) throw new Error(`probe client failed: ${out.stderr}`);
  return JSON.parse(out.stdout);
}

const servers: RunningServer[] = [];
async function start(stallMs: number): Promise<RunningServer> {
  const s = await serve({ model: 'penguins', handleSignals: false, env: { host: '127.0.0.1', port: 0, probePort: 0, livenessStallMs: stallMs, modelsDir: WORKSPACE_MODELS, logLevel: 'silent' } });
  servers.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.shutdown()));
});

describe('PROBE_PORT (one process)', () => {
  let running: RunningServer;
  let probeUrl: string;
  beforeAll(async () => {
    running = await start(60_000);
    probeUrl = `http://127.0.0.1:${running.probePort}`;
  }, 60_000);

  it('answers live and ready with the main port\'s bodies once the models are loaded', async () => {
    for (const [path, body] of [
      ['/v2/health/live', { live: true }],
      ['/v2/health/ready', { ready: true }],
    ] as const) {
      const res = await fetch(`${probeUrl}${path}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(body);
      // And the main port says the same.
      expect(await (await fetch(`${running.url}${path}`)).json()).toEqual(body);
    }
  });

  it('answers while the serving event loop is blocked, which the main port cannot', () => {
    // The main loop is held by spawnSync for the whole exchange: a main-port probe could not
    // be answered at all; the probe thread answers from the last heartbeat.
    expect(getWhileBlocked(`${probeUrl}/v2/health/live`, 300)).toEqual({ status: 200, body: { live: true } });
    expect(getWhileBlocked(`${probeUrl}/v2/health/ready`)).toEqual({ status: 200, body: { ready: true } });
  });

  it('names what it does not serve', async () => {
    const notFound = await fetch(`${probeUrl}/v1/models/penguins`);
    expect(notFound.status).toBe(404);
    expect(((await notFound.json()) as { error: string }).error).toMatch(/answers GET \/v2\/health\/live and \/v2\/health\/ready/);
    const post = await fetch(`${probeUrl}/v2/health/live`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('PROBE_PORT liveness', () => {
  it('fails once the serving loop has not turned for LIVENESS_STALL_MS, and recovers when it turns', async () => {
    const running = await start(400);
    const probeUrl = `http://127.0.0.1:${running.probePort}`;
    // The child waits 1 s before asking; this loop is blocked all that time.
    const stalled = getWhileBlocked(`${probeUrl}/v2/health/live`, 1_000);
    expect(stalled.status).toBe(503);
    expect(stalled.body['live']).toBe(false);
    expect(String(stalled.body['error'])).toMatch(/has not turned for \d+\.\d s \(limit 0.4 s\)/);
    // The loop turns again: the next heartbeat makes it live.
    await new Promise((r) => setTimeout(r, 200));
    expect((await fetch(`${probeUrl}/v2/health/live`)).status).toBe(200);
  }, 60_000);

  it('says not ready once shutdown begins, while still live', async () => {
    const running = await start(60_000);
    const probeUrl = `http://127.0.0.1:${running.probePort}`;
    running.stopAccepting();
    await new Promise((r) => setTimeout(r, 200));
    const ready = await fetch(`${probeUrl}/v2/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false });
    expect((await fetch(`${probeUrl}/v2/health/live`)).status).toBe(200);
  }, 60_000);
});
