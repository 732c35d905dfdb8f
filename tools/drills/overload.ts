/**
 * c=256 against /get_score (autocannon in its own process) while a prober checks
 * /v2/health/live and /v2/health/ready every 20 ms, on the probe port (PROBE_PORT, where the
 * Kubernetes manifests point the kubelet) and on the main port: what probes see under
 * overload, and whether excess load is turned away fast (503 + Retry-After).
 */
import { Agent } from 'node:http';
import { freePort, startAppProcess } from '@modelyard/runtime/testing';
import { load } from '../bench/load.js';
import { getScoreBody, penguinRecords } from './bodies.js';
import { percentile, rssMiB, send, sleep } from './client.js';
import type { DrillResult } from './drill.js';

const SECONDS = Number(process.env['DRILL_OVERLOAD_SECONDS'] ?? 20);
const CONNECTIONS = 256;

export async function overloadDrill(): Promise<DrillResult> {
  const started = Date.now();
  const probePort = await freePort();
  const app = await startAppProcess('penguins', { PROBE_PORT: String(probePort) });
  const probeUrl = app.url.replace(/:\d+$/, `:${probePort}`);
  let crashed = 0;
  app.child.once('exit', (code) => code !== 0 && code !== null && crashed++);
  const body = getScoreBody((await penguinRecords()).slice(0, 32));
  const running = load({ url: `${app.url}/get_score`, method: 'POST', body, connections: CONNECTIONS, seconds: SECONDS });

  const probeAgent = new Agent({ keepAlive: true, maxSockets: 2 });
  const mainProbeAgent = new Agent({ keepAlive: true, maxSockets: 2 });
  const live: number[] = [];
  const ready: number[] = [];
  const mainLive: number[] = [];
  const mainReady: number[] = [];
  let probeFailures = 0;
  const shed = { seen: 0, withRetryAfter: 0 };
  let done = false;
  let rssPeak = 0;
  const prober = (async () => {
    await sleep(1_000); // let the load ramp up
    while (!done) {
      const [l, r, ml, mr] = await Promise.all([
        send(`${probeUrl}/v2/health/live`, { agent: probeAgent }),
        send(`${probeUrl}/v2/health/ready`, { agent: probeAgent }),
        send(`${app.url}/v2/health/live`, { agent: mainProbeAgent }),
        send(`${app.url}/v2/health/ready`, { agent: mainProbeAgent }),
      ]);
      live.push(l.ms);
      ready.push(r.ms);
      mainLive.push(ml.ms);
      mainReady.push(mr.ms);
      // An overloaded pod is still live and ready: it sheds load itself (503 + Retry-After).
      if (l.status !== 200 || r.status !== 200) probeFailures++;
      rssPeak = Math.max(rssPeak, await rssMiB(app.child.pid!));
      await sleep(20);
    }
  })();
  const sampler = (async () => {
    await sleep(2_000);
    while (!done) {
      const o = await send(`${app.url}/get_score`, { body, timeoutMs: 10_000 });
      if (o.status === 503 || o.status === 429) {
        shed.seen++;
        if (o.retryAfter !== undefined && o.body?.includes('"error"')) shed.withRetryAfter++;
      }
      await sleep(100);
    }
  })();
  const result = await running;
  done = true;
  await Promise.all([prober, sampler]);
  probeAgent.destroy();
  mainProbeAgent.destroy();
  await app.stop();

  const liveP99 = percentile(live, 99);
  const readyP99 = percentile(ready, 99);
  return {
    name: 'Overload with a liveness prober',
    promise: `c=${CONNECTIONS} for ${SECONDS} s on /get_score (32 records): /v2/health/live and /v2/health/ready answer 200 in < 50 ms at p99 on the probe port, where the Kubernetes manifests point the kubelet; load beyond capacity is turned away fast with 503 + Retry-After (the admission queue in the data plane), no crash. The same probes on the main port are reported for comparison: there they wait their turn on the busy event loop.`,
    held: liveP99 < 50 && readyP99 < 50 && probeFailures === 0 && crashed === 0 && result.non2xx > 0,
    requests: Math.round(result.requestsPerSecond * SECONDS) + live.length * 2,
    failures: { 'load errors (autocannon)': result.errors, 'non-2xx answers (shed load)': result.non2xx, 'probe-port probes not 200': probeFailures },
    fiveXX: result.non2xx,
    crashes: crashed,
    maxProbeMs: Math.round(Math.max(...live, ...ready)),
    rssPeakMiB: Math.round(rssPeak),
    figures: {
      'throughput (req/s)': Math.round(result.requestsPerSecond),
      'predict p50 / p99 (ms)': `${result.p50ms} / ${result.p99ms}`,
      'probe port: live p50 / p99 / max (ms)': `${percentile(live, 50).toFixed(1)} / ${liveP99.toFixed(1)} / ${Math.max(...live).toFixed(1)}`,
      'probe port: ready p50 / p99 / max (ms)': `${percentile(ready, 50).toFixed(1)} / ${readyP99.toFixed(1)} / ${Math.max(...ready).toFixed(1)}`,
      'main port: live p50 / p99 / max (ms)': `${percentile(mainLive, 50).toFixed(1)} / ${percentile(mainLive, 99).toFixed(1)} / ${Math.max(...mainLive).toFixed(1)}`,
      'main port: ready p99 (ms)': percentile(mainReady, 99).toFixed(1),
      probes: live.length,
      'sampled 503/429 answers (with Retry-After and a JSON error)': `${shed.seen} (${shed.withRetryAfter})`,
    },
    seconds: (Date.now() - started) / 1000,
  };
}
