/**
 * ~9.5 MB valid bodies on each API (get_score, :predict rows and columns, v2 JSON), one at a
 * time, while a prober at concurrency 1 asks the main port's /v2/health/live: the longest
 * block of the app's event loop per API, and its peak-RSS growth against the body's size.
 * The answers are checked against the model's reference.json. (The same measure, with a
 * looser bound for loaded CI machines, runs in npm test: protocols/large-body.test.ts.)
 *
 * The promise is judged on a serving process: one that has had ordinary traffic first
 * (warmUp: 3,000 small requests). Each API's body is also sent as the very first request of
 * a fresh process, and that growth reported beside it: it includes V8's one-time growth of
 * its young generation, which ordinary traffic would have caused anyway.
 */
import { LARGE_BODY_APIS, measureLargeBodies, startAppProcess, warmUp, type LargeBodyFigures } from '@modelyard/runtime/testing';
import { countBy } from './client.js';
import type { DrillResult } from './drill.js';

const TARGET_BYTES = Number(process.env['DRILL_BODY_MB'] ?? 9.5) * 1e6;
const BLOCK_MS = 100;
const RSS_FACTOR = 4;

const WARM_UP_REQUESTS = 8000;

const growth = (f: LargeBodyFigures) => f.rssGrowthBytes / f.bodyBytes;

/** The app, started; `measure` runs on it; then it is stopped and counted if it crashed. */
async function withApp<T>(measure: (url: string, pid: number, version: number) => Promise<T>): Promise<{ value: T; crashed: boolean }> {
  const app = await startAppProcess('penguins', { PROCESSES: '1' });
  let crashed = false;
  app.child.once('exit', (code) => (crashed ||= code !== 0 && code !== null));
  let value: T;
  try {
    const { versions } = (await (await fetch(`${app.url}/v2/models/penguins`)).json()) as { versions: string[] };
    value = await measure(app.url, app.child.pid!, Math.max(...versions.map(Number)));
  } finally {
    await app.stop();
  }
  return { value, crashed };
}

export async function largeBodyDrill(): Promise<DrillResult> {
  const started = Date.now();
  let crashed = 0;
  const serving = await withApp(async (url, pid, version) => {
    await warmUp(url, WARM_UP_REQUESTS);
    return measureLargeBodies(url, pid, version, TARGET_BYTES);
  });
  crashed += serving.crashed ? 1 : 0;
  const figures = serving.value;
  // Each API as the first request of a fresh process: reported, not judged (see above).
  const firsts: LargeBodyFigures[] = [];
  for (const api of LARGE_BODY_APIS) {
    const fresh = await withApp((url, pid, version) => measureLargeBodies(url, pid, version, TARGET_BYTES, [api]));
    crashed += fresh.crashed ? 1 : 0;
    firsts.push(fresh.value[0]!);
  }
  const failed = [...figures, ...firsts].filter((f) => f.status !== 200 || !f.correct);
  const blocksHeld = figures.every((f) => f.longestBlockMs <= BLOCK_MS);
  const rssHeld = figures.every((f) => growth(f) <= RSS_FACTOR);
  return {
    name: 'Large valid bodies',
    promise: `A ~${(TARGET_BYTES / 1e6).toFixed(1)} MB valid body on each API (get_score, :predict rows and columns, v2 JSON) is answered correctly (reference.json) while the event loop is never held for more than ${BLOCK_MS} ms at a time (a /v2/health/live prober at concurrency 1 on the main port), and peak RSS grows by at most ${RSS_FACTOR}× the body, on a serving process (after ${WARM_UP_REQUESTS.toLocaleString('en')} ordinary requests). The same bodies as the first request of a fresh process are reported too.`,
    held: failed.length === 0 && crashed === 0 && blocksHeld && rssHeld,
    requests: figures.length + firsts.length + WARM_UP_REQUESTS,
    failures: countBy(failed, (f) => (f.status === 200 ? 'wrong answer' : `HTTP ${f.status ?? f.error}`)),
    fiveXX: figures.filter((f) => (f.status ?? 0) >= 500).length,
    crashes: crashed,
    maxProbeMs: Math.round(Math.max(...[...figures, ...firsts].map((f) => f.longestBlockMs))),
    figures: {
      ...Object.fromEntries(
        figures.map((f) => [
          f.api,
          `${(f.bodyBytes / 1e6).toFixed(1)} MB, ${f.records.toLocaleString('en')} records: HTTP ${f.status}${f.correct ? ', answers match reference.json' : ', WRONG answers'}, ${f.totalMs.toFixed(0)} ms; longest block ${f.longestBlockMs.toFixed(0)} ms over ${f.probes} probes; peak RSS +${(f.rssGrowthBytes / 2 ** 20).toFixed(0)} MiB (${growth(f).toFixed(1)}× the body)`,
        ]),
      ),
      ...Object.fromEntries(
        firsts.map((f) => [
          `${f.api}, first request of a fresh process`,
          `HTTP ${f.status}${f.correct ? ', answers match reference.json' : ', WRONG answers'}, ${f.totalMs.toFixed(0)} ms; longest block ${f.longestBlockMs.toFixed(0)} ms; peak RSS +${(f.rssGrowthBytes / 2 ** 20).toFixed(0)} MiB (${growth(f).toFixed(1)}× the body)`,
        ]),
      ),
      'longest block ≤ 100 ms': blocksHeld ? 'held' : 'did not hold',
      'RSS growth ≤ 4× body': rssHeld ? 'held' : 'did not hold',
    },
    seconds: (Date.now() - started) / 1000,
  };
}
