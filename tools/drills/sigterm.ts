/**
 * SIGTERM while 32 keep-alive clients are busy and a ~4.5 MB answer is on its way to a
 * slow reader. Counts resets on kept-alive connections, answers cut off, and checks that
 * every answer after SIGTERM said `Connection: close`.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAppProcess } from '@modelyard/runtime/testing';
import { bigColumnarBody, getScoreBody, penguinRecords } from './bodies.js';
import { countBy, rssMiB, send, sleep, type Outcome } from './client.js';
import type { DrillResult } from './drill.js';

const CLIENTS = 32;
const ROWS = 100_000;

export async function sigtermDrill(): Promise<DrillResult> {
  const started = Date.now();
  // Admission room for the 100k-row request next to the small ones (the default queue of
  // 100k rows would shed it): this drill is about the drain, not about shedding.
  const root = await mkdtemp(join(tmpdir(), 'modelyard-drill-'));
  const config = JSON.parse(await readFile('models/penguins/model.json', 'utf8'));
  await cp('models/penguins', join(root, 'penguins'), { recursive: true });
  await writeFile(join(root, 'penguins', 'model.json'), JSON.stringify({ ...config, admission: { maxInFlight: 128, maxQueuedRows: 400_000, retryAfterSeconds: 1 } }));
  const app = await startAppProcess('penguins', { SHUTDOWN_TIMEOUT_MS: '20000', MODELS_DIR: root });
  const exitCode = new Promise<number | null>((r) => app.child.once('exit', (code) => r(code)));
  const small = getScoreBody((await penguinRecords()).slice(0, 1));
  const bigBody = bigColumnarBody(ROWS);
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const bigAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  await send(`${app.url}/get_score`, { agent: bigAgent, body: small }); // the big request reuses this socket

  const outcomes: (Outcome & { afterSigterm: boolean })[] = [];
  let signalled = false;
  const loop = async () => {
    for (;;) {
      const o = await send(`${app.url}/get_score`, { agent, body: small });
      outcomes.push({ ...o, afterSigterm: signalled });
      // Once the listener is gone a fresh connection fails: the client goes to another replica.
      if (signalled && o.error && !o.reused) return;
    }
  };
  const loops = Array.from({ length: CLIENTS }, loop);
  await sleep(3_000);
  const bigAnswer = send(`${app.url}/v1/models/penguins:predict`, { agent: bigAgent, body: bigBody, holdMs: 1_000 });
  await sleep(400); // the body is on the server, being decoded
  const rss = await rssMiB(app.child.pid!);
  signalled = true;
  app.child.kill('SIGTERM');
  const [big, code] = await Promise.all([bigAnswer, exitCode, Promise.all(loops)]);
  agent.destroy();
  bigAgent.destroy();
  await rm(root, { recursive: true, force: true });

  let bigWhole = false;
  try {
    bigWhole = big.status === 200 && (JSON.parse(big.body!) as { outputs: { label: unknown[] } }).outputs.label.length === ROWS;
  } catch {
    bigWhole = false;
  }
  const resetsOnKeptAlive = outcomes.filter((o) => o.error && o.reused).length;
  const cutOff = outcomes.filter((o) => o.error === 'aborted' || (o.status !== undefined && o.error)).length + (bigWhole ? 0 : 1);
  const after = outcomes.filter((o) => o.afterSigterm && o.status === 200);
  const withoutClose = after.filter((o) => o.connection !== 'close').length;
  // The 100k-row request may fill the model's admission queue: small requests are then
  // shed with a clean 503 + JSON error, which is an answer, not a failure.
  const shed = outcomes.filter((o) => o.status === 503 && isJsonError(o.body));
  const non200 = outcomes.filter((o) => o.status !== undefined && o.status !== 200 && !shed.includes(o));
  const freshRefused = outcomes.filter((o) => o.error && !o.reused).length;
  return {
    name: 'SIGTERM under keep-alive load',
    promise: `SIGTERM with ${CLIENTS} keep-alive clients and a ${ROWS.toLocaleString('en')}-row answer (~${Math.round(big.body?.length ?? 0) / 1e6} MB) in flight to a slow reader: 0 resets on kept-alive connections, 0 truncated answers, answers after SIGTERM carry Connection: close, exit code 0.`,
    held: resetsOnKeptAlive === 0 && cutOff === 0 && non200.length === 0 && code === 0 && bigWhole,
    requests: outcomes.length + 1,
    failures: {
      'reset on a kept-alive connection': resetsOnKeptAlive,
      'truncated answers': cutOff,
      ...countBy(non200, (o) => `HTTP ${o.status}`),
    },
    fiveXX: non200.filter((o) => (o.status ?? 0) >= 500).length,
    crashes: code === 0 ? 0 : 1,
    rssPeakMiB: Math.round(rss),
    figures: {
      'big answer': bigWhole ? `whole, ${big.body!.length} bytes, Connection: ${big.connection}` : `NOT whole (${big.error ?? big.status})`,
      'answers after SIGTERM': after.length,
      'small requests shed by admission (clean 503)': shed.length,
      'of which without Connection: close (answered before the server saw the signal)': withoutClose,
      'fresh connections refused after the listener closed (never reached the app)': freshRefused,
      'exit code': String(code),
    },
    seconds: (Date.now() - started) / 1000,
  };
}

function isJsonError(body: string | undefined): boolean {
  try {
    return typeof (JSON.parse(body ?? '') as { error?: unknown }).error === 'string';
  } catch {
    return false;
  }
}
