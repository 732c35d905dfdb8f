/**
 * Issue 8, finding 4: a valid ~10 MB body may not hold the event loop for long. On a real
 * app process, each JSON API (get_score, :predict rows and columns, v2 infer) answers such
 * a body with the labels of reference.json while a liveness prober at concurrency 1 keeps
 * asking the same port; its longest wait is the longest block. Before the codecs worked in
 * time slices these blocks were 190–870 ms on this machine (every attempt), after it 30–60 ms
 * typically. A loaded machine (other test files, other processes on 2 cores) stalls whole
 * processes now and then, and a GC of the large parsed body (10^5–10^6 objects) can land in
 * one probe: so the bound is loose and each API gets up to three attempts, judged by its
 * best. A codec that holds the loop again fails every attempt. The `large-body` drill (npm run drills)
 * states the real figure against the 100 ms promise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppProcess, type AppProcess } from '../testing/app-process.js';
import { LARGE_BODY_APIS, measureLargeBodies, warmUp } from '../testing/large-bodies.js';

const BOUND_MS = Number(process.env['LARGE_BODY_BOUND_MS'] ?? 250);
const ATTEMPTS = 3;

let app: AppProcess;
let version: number;
beforeAll(async () => {
  app = await startAppProcess('penguins', { PROCESSES: '1' });
  const { versions } = (await (await fetch(`${app.url}/v2/models/penguins`)).json()) as { versions: string[] };
  version = Math.max(...versions.map(Number));
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

describe('a valid ~10 MB body', () => {
  it.each(LARGE_BODY_APIS.map((api) => [api.api, api] as const))(`%s: answered as reference.json says, the event loop never held for ${BOUND_MS} ms or more`, async (_name, api) => {
    const blocks: number[] = [];
    for (let attempt = 0; attempt < ATTEMPTS && !(Math.min(...blocks) < BOUND_MS); attempt++) {
      const [f] = await measureLargeBodies(app.url, app.child.pid!, version, 9.5e6, [api]);
      expect(f!.error).toBeUndefined();
      expect(f!.status).toBe(200);
      expect(f!.bodyBytes).toBeGreaterThan(9e6);
      expect(f!.correct).toBe(true);
      // The prober kept answering throughout.
      expect(f!.probes).toBeGreaterThan(5);
      blocks.push(f!.longestBlockMs);
    }
    expect(Math.min(...blocks), `longest blocks of ${blocks.length} attempts: ${blocks.map((b) => b.toFixed(0)).join(', ')} ms`).toBeLessThan(BOUND_MS);
  }, 240_000);
});

/**
 * The memory half of the promise: a serving process (warmed with ordinary traffic, see
 * warmUp) answers a ~9.5 MB v2 body with its peak RSS up at most RSS_FACTOR × the body.
 * Measured here: ~2.4× now; 11× when the body was parsed into objects (before
 * protocols/v2/infer-from-bytes.ts), 24× before the answer was written in pieces too. The
 * bound leaves room for GC timing on a loaded machine; the drill states the real figure.
 */
const RSS_FACTOR = Number(process.env['LARGE_BODY_RSS_FACTOR'] ?? 5);

describe('memory for a valid ~10 MB body', () => {
  it(`v2 infer on a serving process: peak RSS up at most ${RSS_FACTOR}× the body, answers as reference.json says`, async () => {
    const fresh = await startAppProcess('penguins', { PROCESSES: '1' });
    try {
      await warmUp(fresh.url, 3000);
      const v2 = LARGE_BODY_APIS.find((a) => a.api === 'v2 infer')!;
      const growth: number[] = [];
      // GC timing can land a collection's worth of garbage in one measure: judged by the best of two.
      for (let attempt = 0; attempt < 2 && !(Math.min(...growth) <= RSS_FACTOR); attempt++) {
        const [f] = await measureLargeBodies(fresh.url, fresh.child.pid!, version, 9.5e6, [v2]);
        expect(f!.status).toBe(200);
        expect(f!.correct).toBe(true);
        growth.push(f!.rssGrowthBytes / f!.bodyBytes);
      }
      expect(Math.min(...growth), `peak RSS growth: ${growth.map((g) => g.toFixed(1)).join(', ')}× the body`).toBeLessThanOrEqual(RSS_FACTOR);
    } finally {
      await fresh.stop();
    }
  }, 240_000);
});
