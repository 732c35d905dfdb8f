/**
 * What a finished request leaves in V8's young generation. A real app process (iris, run
 * inline so a request completes within one turn of the event loop, as a small model's
 * does) answers 2,000 single-record calls of each prediction API one after another; V8's own GC trace
 * (--trace-gc-nvp) says how much each scavenge found still alive. With one request in
 * flight that is a few KB. A per-request object that V8 keeps reachable until a full GC (an
 * object literal with a getter, in the data plane, did) makes it every request since the
 * previous scavenge: hundreds of KB, scavenges of milliseconds and promotion to the old
 * generation (docs/benchmarks/hotpath.md, session 5).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKSPACE_MODELS } from '../testing/fixtures.js';

const WORKSPACE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const REQUESTS = 2000;
/** Bytes a scavenge may find alive while one request is in flight; the bug kept 200–500 KB. */
const CEILING = 64 * 1024;

let app: ChildProcess;
let output = '';
let url = '';
let modelsDir = '';

beforeAll(async () => {
  modelsDir = mkdtempSync(join(tmpdir(), 'retention-'));
  cpSync(join(WORKSPACE_MODELS, 'iris'), join(modelsDir, 'iris'), { recursive: true });
  const configFile = join(modelsDir, 'iris', 'model.json');
  writeFileSync(configFile, JSON.stringify({ ...JSON.parse(readFileSync(configFile, 'utf8')), onnx: { execution: 'inline' } }));
  app = spawn(process.execPath, ['--trace-gc-nvp', '--import', 'tsx', '--conditions=development', 'libs/runtime/src/server/testing-apps/gc-probe.ts'], {
    cwd: WORKSPACE,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', MODELS_DIR: modelsDir, MODEL: 'iris', LOG_LEVEL: 'warn', GRPC_PORT: '', PROCESSES: '1', PROBE_PORT: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  app.stdout!.setEncoding('utf8');
  app.stdout!.on('data', (chunk: string) => (output += chunk));
  const deadline = Date.now() + 60_000;
  while (!url) {
    if (Date.now() > deadline) throw new Error(`the app did not start:\n${output.slice(-2000)}`);
    url = /\{"url":"([^"]+)"\}/.exec(output)?.[1] ?? '';
    await new Promise((r) => setTimeout(r, 50));
  }
}, 90_000);

afterAll(async () => {
  if (app && app.exitCode === null) {
    const exited = new Promise((r) => app.once('exit', r));
    app.kill('SIGTERM');
    await exited;
  }
  rmSync(modelsDir, { recursive: true, force: true });
});

/** new_space_survived of every scavenge traced since `from` (an offset into the output). */
function scavengeSurvivors(from: number): number[] {
  return output
    .slice(from)
    .split('\n')
    .filter((line) => line.includes('gc=s '))
    .map((line) => Number(/new_space_survived=(\d+)/.exec(line)?.[1]));
}

/** iris' first reference record as each API's body. */
function bodies(): Record<string, { path: string; body: string }> {
  const reference = JSON.parse(readFileSync(join(WORKSPACE_MODELS, 'iris', '1', 'reference.json'), 'utf8')) as { records: Record<string, number>[] };
  const r = reference.records[0]!;
  const row = [r['sepal_length']!, r['sepal_width']!, r['petal_length']!, r['petal_width']!];
  return {
    'legacy /get_score': { path: '/get_score', body: JSON.stringify({ data: [r] }) },
    'TF Serving :predict': { path: '/v1/models/iris:predict', body: JSON.stringify({ instances: [row] }) },
    'v2 infer': { path: '/v2/models/iris/infer', body: JSON.stringify({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: row }] }) },
  };
}

describe('request retention', () => {
  for (const [api, { path, body }] of Object.entries(bodies())) {
    it(`${api}: under ${CEILING / 1024} KB alive at a scavenge while requests run one at a time`, async () => {
      const send = async () => {
        const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      };
      // Warm-up: compiled code and a young generation sized for the traffic.
      for (let i = 0; i < 300; i++) await send();
      const from = output.length;
      for (let i = 0; i < REQUESTS; i++) await send();
      const survivors = scavengeSurvivors(from);
      // The control: the traffic did make V8 scavenge (else there is nothing to judge).
      expect(survivors.length).toBeGreaterThan(2);
      expect(survivors.every(Number.isFinite)).toBe(true);
      const median = [...survivors].sort((a, b) => a - b)[Math.floor(survivors.length / 2)]!;
      expect(median).toBeLessThan(CEILING);
    }, 120_000);
  }
});
