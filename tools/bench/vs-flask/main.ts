/**
 * modelyard against the Flask service it replaces, in one run (issue 9, item 6):
 *
 *   npm run bench:vs-flask                  10 s per cell → docs/benchmarks/vs-flask.{md,json}
 *   npm run bench:vs-flask -- --smoke       2 s per cell  → tmp/bench-vs-flask/vs-flask.{md,json}
 *     --seconds N   seconds per cell       --wrk-threads N   wrk threads (default 1)
 *     --out DIR     where the report goes  --no-build        reuse libs/runtime/dist
 *     --warmup N    seconds of unrecorded load before each server's cells (default 2)
 *     --ready-timeout N  seconds a server may take to become ready (default 180)
 *     --only IDS    some of flask,modelyard,modelyard-2p,modelyard-ort,node-json,node-constant (→ tmp/; targets needing others show –)
 *     --render FILE rewrite vs-flask.md (and the targets) next to a results vs-flask.json, measuring nothing
 *
 * Trains a scikit-learn pipeline (train.py), serves the pickles from the seed-shaped Flask
 * app under gunicorn and the ONNX export from a built modelyard app, checks both against
 * scikit-learn's labels, then loads each server in turn with wrk, next to two bare
 * node:http ceilings. Every server listens on 127.0.0.1 and is killed at the end, on
 * Ctrl-C and on errors.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkAnswers, checkLabels, probeBinary, type CheckData } from './agreement.js';
import { binaryInferRequest, inferResponseHeader, type ModelInput } from './binary-body.js';
import { missingPrerequisites, PYTHON, pythonVersions } from './prerequisites.js';
import { freePort, killAll, spawnServer, stopServer, treeMemory, waitReady } from './processes.js';
import { markdown, targets, type CellId, type Results, type ServerResult } from './report.js';
import { appMain, modelsWithExecution, ORT_MODELS, serverSpecs, type ServerSpec } from './servers.js';
import { runCell, wrkVersion, type Cell } from './wrk.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..');
const MODEL = 'seattle-weather';

const { values: opts } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    seconds: { type: 'string' },
    'wrk-threads': { type: 'string', default: '1' },
    warmup: { type: 'string', default: '2' },
    'ready-timeout': { type: 'string', default: '180' },
    out: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    render: { type: 'string' },
    only: { type: 'string' },
  },
});
const seconds = Number(opts.seconds ?? (opts.smoke ? 2 : 10));
const wrkThreads = Number(opts['wrk-threads']);
const warmup = Number(opts.warmup);
const readyTimeoutS = Number(opts['ready-timeout']);
if (!(seconds >= 1) || !Number.isInteger(seconds)) throw new Error(`--seconds must be a whole number ≥ 1, got ${opts.seconds}`);
if (!(wrkThreads >= 1) || !Number.isInteger(wrkThreads)) throw new Error(`--wrk-threads must be a whole number ≥ 1, got ${opts['wrk-threads']}`);
if (!(readyTimeoutS > 0)) throw new Error(`--ready-timeout must be a number of seconds > 0, got ${opts['ready-timeout']}`);
if (!(warmup >= 1) || !Number.isInteger(warmup)) throw new Error(`--warmup must be a whole number ≥ 1, got ${opts.warmup}`);

const scratch = join(root, 'tmp', 'bench-vs-flask');
// Only a full run of every server replaces the committed report.
const outDir = resolve(opts.out ?? (opts.smoke || opts.only ? scratch : join(root, 'docs', 'benchmarks')));
const log = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function run(command: string, args: string[], what: string): string {
  const r = spawnSync(command, args, { cwd: root, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  if (r.status !== 0) throw new Error(`${what} failed (${command} ${args.join(' ')}):\n${r.stderr || r.stdout || r.error?.message}`);
  return r.stdout;
}

function machine(): Record<string, unknown> {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    if (execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).trim()) commit += ' (with uncommitted changes)';
  } catch {
    // Not a git checkout.
  }
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: totalmem() / 1e9,
    kernel: release(),
    node: process.version,
    commit,
    loadBefore: loadavg()[0]!.toFixed(2),
  };
}

interface Bodies {
  one: string;
  batch: string;
  binary: string;
  binaryHeaders: string;
}

async function prepare(): Promise<{ check: CheckData; dataset: Record<string, unknown>; bodies: Bodies; binary: Buffer; binaryHeaders: Record<string, string> }> {
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  log('training the scikit-learn pipeline (train.py) ...');
  const csv = join(root, 'node_modules', 'vega-datasets', 'data', 'seattle-weather.csv');
  const dataset = JSON.parse(run(PYTHON, [join(here, 'train.py'), csv, scratch], 'training').trim().split('\n').pop()!) as Record<string, unknown>;
  log(`  ${JSON.stringify(dataset)}`);

  if (opts['no-build']) log('reusing libs/runtime/dist (--no-build)');
  else {
    log('building the runtime (tsc -p libs/runtime/tsconfig.build.json) ...');
    run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'libs/runtime/tsconfig.build.json'], 'building libs/runtime');
  }
  // Inside the workspace, so '@modelyard/runtime' resolves to the built library as in an app.
  await mkdir(join(scratch, 'app', 'dist'), { recursive: true });
  await writeFile(join(scratch, 'app', 'dist', 'main.js'), appMain(MODEL));

  const check = JSON.parse(await readFile(join(scratch, 'check.json'), 'utf8')) as CheckData;
  const config = JSON.parse(await readFile(join(scratch, 'models', MODEL, 'model.json'), 'utf8')) as { inputs: ModelInput[] };
  // The same model with onnxruntime inline instead of the interpreter, for modelyard-ort.
  await modelsWithExecution(join(scratch, 'models'), join(scratch, ORT_MODELS), MODEL, 'inline');
  const batchRecords = (JSON.parse(await readFile(join(scratch, 'bodies', 'batch.json'), 'utf8')) as { data: Record<string, string | number | null>[] }).data;
  const { body, headerLength } = binaryInferRequest(config.inputs, batchRecords, 'label');
  const bodies: Bodies = {
    one: join(scratch, 'bodies', 'one.json'),
    batch: join(scratch, 'bodies', 'batch.json'),
    binary: join(scratch, 'bodies', 'batch.bin'),
    binaryHeaders: join(scratch, 'bodies', 'batch.bin.headers'),
  };
  const binaryHeaders = { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(headerLength) };
  await writeFile(bodies.binary, body);
  await writeFile(bodies.binaryHeaders, Object.entries(binaryHeaders).map(([k, v]) => `${k}: ${v}\n`).join(''));
  return { check, dataset, bodies, binary: body, binaryHeaders };
}

async function measure(spec: ServerSpec, ctx: Awaited<ReturnType<typeof prepare>>): Promise<ServerResult> {
  log(`\n${spec.id}: ${spec.title}`);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const startedAt = performance.now();
  const server = spawnServer(spec.command, spec.args(port), spec.env(port), join(scratch, `${spec.id}.log`), spec.cwd);
  const result: ServerResult = { id: spec.id, title: spec.title, cells: {}, notAvailable: {} };
  try {
    const coldStartMs = await waitReady(base + spec.readyPath, server, startedAt, readyTimeoutS * 1000);
    if (spec.servesModel) {
      result.coldStartMs = coldStartMs;
      result.rssReadyMb = (await treeMemory(server.pid)).rssMb;
      log(`  ready after ${coldStartMs.toFixed(0)} ms, RSS ${result.rssReadyMb.toFixed(1)} MB before any request`);
      await checkLabels(spec.id, base + spec.scorePath, ctx.check, ctx.bodies);
      log(`  labels: scikit-learn's for all ${ctx.check.records.length} check records`);
      await sleep(1000);
      const idle = await treeMemory(server.pid);
      result.rssIdleMb = idle.rssMb;
      result.pssIdleMb = idle.pssMb;
      result.processes = idle.processes;
      log(`  idle: RSS ${idle.rssMb.toFixed(1)} MB, PSS ${idle.pssMb.toFixed(1)} MB over ${idle.processes} process(es)`);
    } else {
      await checkAnswers(spec.id, base + spec.scorePath, [ctx.bodies.one, ctx.bodies.batch]);
    }

    const cells: [CellId, Omit<Cell, 'seconds' | 'threads'>][] = [
      ['one-c1', { url: base + spec.scorePath, bodyFile: ctx.bodies.one, connections: 1, records: 1 }],
      ['one-c8', { url: base + spec.scorePath, bodyFile: ctx.bodies.one, connections: 8, records: 1 }],
      ['one-c32', { url: base + spec.scorePath, bodyFile: ctx.bodies.one, connections: 32, records: 1 }],
      ['batch-c8', { url: base + spec.scorePath, bodyFile: ctx.bodies.batch, connections: 8, records: 100 }],
    ];
    if (spec.id.startsWith('modelyard')) {
      const inferUrl = `${base}/v2/models/${MODEL}/infer`;
      const probe = await probeBinary(spec.id, inferUrl, ctx.binary, ctx.binaryHeaders, ctx.check.bodies.batch, inferResponseHeader);
      if (probe.available) cells.push(['binary-c8', { url: inferUrl, bodyFile: ctx.bodies.binary, headersFile: ctx.bodies.binaryHeaders, connections: 8, records: 100 }]);
      else {
        result.notAvailable['binary-c8'] = probe.reason;
        log(`  100 records, v2 binary: NOT AVAILABLE — ${probe.reason}`);
      }
    }
    // Not recorded: lets V8 optimise the hot path and every gunicorn worker load its imports.
    await runCell({ ...cells[1]![1], seconds: warmup, threads: wrkThreads });
    for (const [id, cell] of cells) {
      const r = await runCell({ ...cell, seconds, threads: wrkThreads });
      result.cells[id] = r;
      const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
      const figure = r.requests === 0 ? 'NO REQUEST COMPLETED' : cell.records > 1 ? `${(r.recordsPerSecond / 1000).toFixed(1)} k records/s` : `${r.requestsPerSecond.toFixed(0)} req/s`;
      log(`  ${id.padEnd(9)} ${figure.padStart(18)}   p50 ${r.p50Ms.toFixed(2)} ms   p99 ${r.p99Ms.toFixed(2)} ms${errors ? `   ${errors} ERRORS (${JSON.stringify(r.errors)})` : ''}`);
      await sleep(500);
    }
    if (spec.servesModel) {
      const after = await treeMemory(server.pid);
      result.rssAfterLoadMb = after.rssMb;
      result.pssAfterLoadMb = after.pssMb;
      log(`  after load: RSS ${after.rssMb.toFixed(1)} MB, PSS ${after.pssMb.toFixed(1)} MB`);
    }
    return result;
  } finally {
    await stopServer(server);
  }
}

/** --render FILE: rewrite the markdown next to a results JSON (after a change to the report). */
async function render(file: string): Promise<void> {
  const { targets: _stale, ...results } = JSON.parse(await readFile(file, 'utf8')) as Results & { targets?: unknown };
  await writeReport(results, dirname(file));
}

async function main(): Promise<void> {
  if (opts.render) return render(resolve(opts.render));
  const missing = missingPrerequisites();
  if (missing) {
    process.stderr.write(`${missing}\n`);
    process.exitCode = 2;
    return;
  }
  const all = serverSpecs({ root, here, scratch });
  const only = opts.only?.split(',').map((x) => x.trim());
  const unknown = only?.filter((id) => !all.some((s) => s.id === id)) ?? [];
  if (unknown.length) throw new Error(`--only: no server ${unknown.join(', ')}; the servers are ${all.map((s) => s.id).join(', ')}`);
  const specs = only ? all.filter((s) => only.includes(s.id)) : all;
  const info = machine();
  const ctx = await prepare();
  const servers: ServerResult[] = [];
  for (const spec of specs) servers.push(await measure(spec, ctx));
  log('\nthe model alone (model-alone.ts) ...');
  const modelAlone = JSON.parse(
    run(process.execPath, ['--import', 'tsx', join(here, 'model-alone.ts'), join(scratch, 'models', MODEL, '1', 'model.onnx'), ctx.bodies.one, ctx.bodies.batch], 'the model alone'),
  ) as Results['modelAlone'];
  log(`  ${JSON.stringify(modelAlone)}`);

  let onnxruntime = 'unknown';
  try {
    onnxruntime = (JSON.parse(await readFile(join(root, 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // Not installed where expected.
  }
  const results: Results = {
    date: new Date().toISOString(),
    smoke: opts.smoke,
    secondsPerCell: seconds,
    wrkThreads,
    warmupSeconds: warmup,
    machine: { ...info, loadAfter: loadavg()[0]!.toFixed(2), onnxruntime, wrk: await wrkVersion(), ...pythonVersions() },
    dataset: ctx.dataset,
    servers,
    modelAlone,
  };
  await writeReport(results, outDir);
}

async function writeReport(results: Results, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'vs-flask.json');
  const md = join(dir, 'vs-flask.md');
  await writeFile(json, `${JSON.stringify({ ...results, targets: targets(results) }, null, 2)}\n`);
  await writeFile(md, markdown(results));
  log(`\ntargets (issue 9):`);
  for (const t of targets(results)) log(`  ${t.pass === undefined ? '  -  ' : t.pass ? ' pass' : ' FAIL'}  ${t.target}: ${t.measured}`);
  log(`\nwrote ${relative(root, md)} and ${relative(root, json)}`);
}

main().catch((e: unknown) => {
  killAll();
  process.stderr.write(`\nvs-flask: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
