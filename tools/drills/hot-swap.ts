/**
 * 60 s of traffic while versions come and go: a new version, a corrupt one, the corrupt
 * one repaired, another new one, an old one removed. Traffic pinned to labels/stable (→ 1)
 * and versions/1 runs alongside latest-version traffic on all three APIs.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAppProcess } from '@modelyard/runtime/testing';
import { getScoreBody, inferBody, penguinRecords, predictBody } from './bodies.js';
import { countBy, rssMiB, send, sleep, type Outcome } from './client.js';
import type { DrillResult } from './drill.js';

const SECONDS = Number(process.env['DRILL_SWAP_SECONDS'] ?? 60);

export async function hotSwapDrill(): Promise<DrillResult> {
  const root = await mkdtemp(join(tmpdir(), 'modelyard-drill-'));
  const dir = join(root, 'penguins');
  const config = JSON.parse(await readFile('models/penguins/model.json', 'utf8'));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'model.json'), JSON.stringify({ ...config, versionPolicy: { specific: { versions: [1, 2, 3, 4] } }, labels: { stable: 1 }, pollSeconds: 0.5 }));
  const addVersion = (v: number, from: number) => cp(join('models/penguins', String(from)), join(dir, String(v)), { recursive: true });
  await addVersion(1, 1);

  const app = await startAppProcess('penguins', { MODELS_DIR: root });
  let crashed = 0;
  app.child.once('exit', (code) => code !== 0 && code !== null && crashed++);
  const records = (await penguinRecords()).slice(0, 4);
  const paths: [string, string][] = [
    ['/v1/models/penguins/labels/stable:predict', predictBody(records)],
    ['/v1/models/penguins/versions/1:predict', predictBody(records)],
    ['/v1/models/penguins:predict', predictBody(records)],
    ['/v2/models/penguins/infer', inferBody(records)],
    ['/get_score', getScoreBody(records)],
  ];
  const agent = new Agent({ keepAlive: true, maxSockets: 10 });
  const outcomes: (Outcome & { path: string })[] = [];
  let stop = false;
  let rssPeak = 0;
  const loop = async (i: number) => {
    const [path, body] = paths[i % paths.length]!;
    while (!stop) outcomes.push({ ...(await send(`${app.url}${path}`, { agent, body })), path });
  };
  const loops = Array.from({ length: 10 }, (_, i) => loop(i));
  const started = Date.now();
  const at = (s: number) => sleep(Math.max(0, started + s * 1000 - Date.now()));
  const steps: [number, string, () => Promise<unknown>][] = [
    [0.1, 'version 2 added', () => addVersion(2, 2)],
    [0.25, 'version 3 added corrupt (truncated model.onnx)', async () => {
      const whole = await readFile('models/penguins/2/model.onnx');
      await mkdir(join(dir, '3'));
      await writeFile(join(dir, '3', 'model.onnx'), whole.subarray(0, whole.length >> 1));
    }],
    [0.45, 'version 3 repaired', () => cp('models/penguins/1/model.onnx', join(dir, '3', 'model.onnx'))],
    [0.6, 'version 4 added', () => addVersion(4, 2)],
    [0.75, 'version 2 removed', () => rm(join(dir, '2'), { recursive: true })],
  ];
  const events: string[] = [];
  const sampler = setInterval(() => void rssMiB(app.child.pid!).then((r) => (rssPeak = Math.max(rssPeak, r))), 250);
  for (const [fraction, what, act] of steps) {
    await at(fraction * SECONDS);
    await act();
    events.push(`${Math.round(fraction * SECONDS)} s: ${what}`);
  }
  await at(SECONDS);
  stop = true;
  await Promise.all(loops);
  clearInterval(sampler);
  const status = await send(`${app.url}/v1/models/penguins`);
  agent.destroy();
  await app.stop();
  await rm(root, { recursive: true, force: true });

  const failed = outcomes.filter((o) => o.status !== 200);
  const failures = countBy(failed, (o) => (o.error ? o.error : `HTTP ${o.status} on ${o.path}`));
  const versionsServed = countBy(
    outcomes.filter((o) => o.status === 200 && o.path.startsWith('/v2')),
    (o) => `v${(JSON.parse(o.body!) as { model_version: string }).model_version}`,
  );
  return {
    name: 'Hot swap under load',
    promise: `${SECONDS} s of traffic (10 keep-alive clients, three APIs, pinned to labels/stable and versions/1 and to the latest) while versions are added, a corrupt one is dropped in and repaired, and an old one is removed: 0 failed requests.`,
    held: failed.length === 0 && crashed === 0,
    requests: outcomes.length,
    failures,
    fiveXX: failed.filter((o) => (o.status ?? 0) >= 500).length,
    crashes: crashed,
    rssPeakMiB: Math.round(rssPeak),
    figures: { 'timeline': events.join('; '), 'latest answered by (v2 API)': JSON.stringify(versionsServed), 'final status': status.body ?? '' },
    seconds: (Date.now() - started) / 1000,
  };
}
