/**
 * The vs-flask model served by the built app twice at once, `onnx.execution` pool and
 * inline, loaded by wrk in turn, cell by cell (pool/inline, pool/inline, ...), so that a
 * shared, noisy machine moves both alike and their ratio means something (issue 9).
 * Needs what `npm run bench:vs-flask` leaves in tmp/bench-vs-flask (the trained model, the
 * bodies, the app's main.js) and a built runtime (it builds one unless --no-build).
 *
 *   npm run bench:handoff-http -- [--rounds 3] [--seconds 5] [--no-build]
 *
 * Every server listens on 127.0.0.1 and is stopped at the end and on errors.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, killAll, spawnServer, stopServer, waitReady, type Spawned } from './vs-flask/processes.js';
import { runCell } from './vs-flask/wrk.js';

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    'no-build': { type: 'boolean', default: false },
  },
});
const rounds = Number(opts.rounds);
const seconds = Number(opts.seconds);
if (!(Number.isInteger(rounds) && rounds >= 1)) throw new Error(`--rounds must be a whole number ≥ 1, got ${opts.rounds}`);
if (!(Number.isInteger(seconds) && seconds >= 1)) throw new Error(`--seconds must be a whole number ≥ 1, got ${opts.seconds}`);

const root = resolve('.');
const scratch = join(root, 'tmp', 'bench-vs-flask');
const MODEL = 'seattle-weather';
const MODES = ['pool', 'inline'] as const;

async function modelsFor(mode: (typeof MODES)[number]): Promise<string> {
  const dir = join(root, 'tmp', 'bench-handoff', mode);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await cp(join(scratch, 'models', MODEL), join(dir, MODEL), { recursive: true });
  const configFile = join(dir, MODEL, 'model.json');
  const config = JSON.parse(await readFile(configFile, 'utf8')) as Record<string, unknown>;
  await writeFile(configFile, JSON.stringify({ ...config, onnx: { execution: mode } }));
  return dir;
}

async function main(): Promise<void> {
  if (!opts['no-build']) {
    const r = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'libs/runtime/tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`building libs/runtime failed:\n${r.stdout}${r.stderr}`);
  }
  const servers: { mode: string; base: string; server: Spawned }[] = [];
  try {
    for (const mode of MODES) {
      const port = await freePort();
      const env = { ...process.env, HOST: '127.0.0.1', PORT: String(port), MODELS_DIR: await modelsFor(mode) };
      const server = spawnServer(process.execPath, [join(scratch, 'app', 'dist', 'main.js')], env, join(root, 'tmp', 'bench-handoff', `${mode}.log`), root);
      const base = `http://127.0.0.1:${port}`;
      await waitReady(`${base}/v2/health/ready`, server, performance.now(), 120_000);
      servers.push({ mode, base, server });
    }
    const cells = [
      { name: '1 record, c=1', body: join(scratch, 'bodies', 'one.json'), connections: 1, records: 1 },
      { name: '1 record, c=32', body: join(scratch, 'bodies', 'one.json'), connections: 32, records: 1 },
      { name: '100 records, c=8', body: join(scratch, 'bodies', 'batch.json'), connections: 8, records: 100 },
    ];
    for (const s of servers) await runCell({ url: `${s.base}/get_score`, bodyFile: cells[0]!.body, connections: 8, seconds: 2, threads: 1, records: 1 });
    const ratios: Record<string, number[]> = {};
    for (let r = 0; r < rounds; r++) {
      for (const cell of cells) {
        const figures: number[] = [];
        for (const s of servers) {
          const res = await runCell({ url: `${s.base}/get_score`, bodyFile: cell.body, connections: cell.connections, seconds, threads: 1, records: cell.records });
          const errors = Object.values(res.errors).reduce((a, b) => a + b, 0);
          if (errors) throw new Error(`${s.mode} ${cell.name}: ${errors} errors ${JSON.stringify(res.errors)}`);
          figures.push(res.recordsPerSecond);
          process.stdout.write(`round ${r + 1} ${cell.name.padEnd(17)} ${s.mode.padEnd(6)} ${res.recordsPerSecond.toFixed(0).padStart(7)} records/s  p50 ${res.p50Ms.toFixed(2)} ms  p99 ${res.p99Ms.toFixed(2)} ms\n`);
        }
        (ratios[cell.name] ??= []).push(figures[0]! / figures[1]!);
      }
    }
    process.stdout.write('\npool ÷ inline, per round:\n');
    for (const [cell, xs] of Object.entries(ratios)) process.stdout.write(`  ${cell.padEnd(17)} ${xs.map((x) => x.toFixed(2)).join('  ')}\n`);
  } finally {
    await Promise.all(servers.map((s) => stopServer(s.server)));
  }
}

main().catch((e: unknown) => {
  killAll();
  process.stderr.write(`handoff-http: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
