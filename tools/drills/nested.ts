/** Eight deeply nested bodies at once (`[` × 4.9M …), on each API in turn: peak RSS. */
import { startAppProcess } from '@modelyard/runtime/testing';
import { countBy, resetPeak, rssMiB, send } from './client.js';
import type { DrillResult } from './drill.js';

const DEPTH = 4_900_000;

export async function nestedDrill(): Promise<DrillResult> {
  const started = Date.now();
  const app = await startAppProcess('penguins');
  let crashed = 0;
  app.child.once('exit', (code) => code !== 0 && code !== null && crashed++);
  const bodies = [`${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`, `${'['.repeat(DEPTH)}NaN${']'.repeat(DEPTH)}`];
  const paths = ['/v1/models/penguins:predict', '/v2/models/penguins/infer', '/get_score'];
  const idle = await rssMiB(app.child.pid!);
  await resetPeak(app.child.pid!);
  const outcomes = [];
  let maxProbe = 0;
  for (const path of paths) {
    const probe = (async () => {
      const o = await send(`${app.url}/v2/health/live`);
      maxProbe = Math.max(maxProbe, o.ms);
    })();
    outcomes.push(...(await Promise.all(Array.from({ length: 8 }, (_, i) => send(`${app.url}${path}`, { body: bodies[i % 2] })))));
    await probe;
  }
  const peak = await rssMiB(app.child.pid!, 'VmHWM');
  await app.stop();
  const not400 = outcomes.filter((o) => o.status !== 400);
  return {
    name: 'Nested-body attack',
    promise: 'Eight ~9.8 MB bodies of nested brackets (plain and around NaN) at once, on each of the three APIs: every one a 400, peak RSS below 400 MB.',
    held: not400.length === 0 && peak < 400 && crashed === 0,
    requests: outcomes.length,
    failures: countBy(not400, (o) => o.error ?? `HTTP ${o.status}`),
    fiveXX: outcomes.filter((o) => (o.status ?? 0) >= 500).length,
    crashes: crashed,
    maxProbeMs: Math.round(maxProbe),
    rssPeakMiB: Math.round(peak),
    figures: { 'RSS before (MiB)': Math.round(idle), 'body size (MB)': (bodies[0]!.length / 1e6).toFixed(1) },
    seconds: (Date.now() - started) / 1000,
  };
}
