/**
 * Where the vs-flask app's memory goes (docs/benchmarks/memory.md):
 *
 *   npm run bench:vs-flask -- --smoke --only modelyard   once: trains the model, builds the runtime
 *   npm run bench:memory                                  every configuration, 3 runs each
 *     --runs N      runs per configuration (median reported)    --only IDS  some configurations
 *
 * Each configuration is started the way the vs-flask bench starts the app (`node main.js`
 * with HOST, PORT, MODELS_DIR), measured the bench's way (VmRSS after scikit-learn's labels
 * were checked and 1 s of idling) and again after 12 s idle, when V8 has shrunk its heap of
 * an idle process. One process at a time, on 127.0.0.1; RSS does not move with the machine's
 * load, the time to ready does.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkLabels, type CheckData } from '../vs-flask/agreement.js';
import { freePort, spawnServer, stopServer, waitReady } from '../vs-flask/processes.js';
import { appMain, modelsWithExecution } from '../vs-flask/servers.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..');
const MODEL = 'seattle-weather';
const benchScratch = join(root, 'tmp', 'bench-vs-flask');
const scratch = join(root, 'tmp', 'bench-memory');

interface Config {
  id: string;
  what: string;
  /** The script run by node: the app, or the floor server. */
  main: 'app' | 'floor';
  /** onnx.execution in model.json (left out: auto, which picks the interpreter for this model). */
  execution?: 'inline' | 'pool' | 'interpreter';
  nodeArgs?: string[];
  env?: Record<string, string>;
}

const CONFIGS: Config[] = [
  { id: 'floor', what: '`node:http` + one onnxruntime session, inline, no framework (floor.mjs)', main: 'floor' },
  { id: 'auto', what: 'the app, defaults (`auto`: the interpreter, which implements this graph)', main: 'app' },
  { id: 'interpreter-probe', what: 'the app, defaults, `PROBE_PORT` set (as the Kubernetes base runs it)', main: 'app', env: { PROBE_PORT: '0' } },
  { id: 'pool', what: 'the app, `"onnx": {"execution": "pool"}` (a pool of 1 worker thread: the model file is under 1 MiB)', main: 'app', execution: 'pool' },
  { id: 'inline', what: 'the app, `"onnx": {"execution": "inline"}`', main: 'app', execution: 'inline' },
  { id: 'pool-probe', what: 'the app, pool, `PROBE_PORT` set', main: 'app', execution: 'pool', env: { PROBE_PORT: '0' } },
  { id: 'inline-probe', what: 'the app, inline, `PROBE_PORT` set', main: 'app', execution: 'inline', env: { PROBE_PORT: '0' } },
  { id: 'pool-semi2', what: 'the app, pool, `node --max-semi-space-size=2`', main: 'app', execution: 'pool', nodeArgs: ['--max-semi-space-size=2'] },
  { id: 'inline-semi2', what: 'the app, inline, `node --max-semi-space-size=2`', main: 'app', execution: 'inline', nodeArgs: ['--max-semi-space-size=2'] },
  { id: 'pool-semi1', what: 'the app, pool, `node --max-semi-space-size=1`', main: 'app', execution: 'pool', nodeArgs: ['--max-semi-space-size=1'] },
  { id: 'inline-semi1', what: 'the app, inline, `node --max-semi-space-size=1`', main: 'app', execution: 'inline', nodeArgs: ['--max-semi-space-size=1'] },
];

const { values: opts } = parseArgs({ options: { runs: { type: 'string', default: '3' }, only: { type: 'string' } } });
const runs = Number(opts.runs);
if (!(Number.isInteger(runs) && runs >= 1)) throw new Error(`--runs must be a whole number ≥ 1, got ${opts.runs}`);
const configs = opts.only ? CONFIGS.filter((c) => opts.only!.split(',').includes(c.id)) : CONFIGS;
if (configs.length === 0) throw new Error(`--only names none of ${CONFIGS.map((c) => c.id).join(', ')}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MB = (kb: number) => (kb * 1024) / 1e6;

async function status(pid: number): Promise<{ rss: number; anon: number; file: number; threads: number }> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { rss: MB(field('VmRSS')), anon: MB(field('RssAnon')), file: MB(field('RssFile')), threads: field('Threads') };
}

interface Run {
  readyMs: number;
  rssReady: number;
  rssIdle: number;
  anonIdle: number;
  fileIdle: number;
  threads: number;
  rssIdle12s: number;
}

/** The models folder for an execution mode: the bench's model, with onnx.execution set when asked. */
const modelsDir = (execution: Config['execution']) => modelsWithExecution(join(benchScratch, 'models'), join(scratch, `models-${execution ?? 'default'}`), MODEL, execution);

async function measureOnce(config: Config, check: CheckData): Promise<Run> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const main = config.main === 'floor' ? join(here, 'floor.mjs') : join(scratch, 'app', 'dist', 'main.js');
  const env = { ...process.env, HOST: '127.0.0.1', PORT: String(port), MODELS_DIR: await modelsDir(config.execution), MODEL, ...config.env };
  const startedAt = performance.now();
  const server = spawnServer(process.execPath, [...(config.nodeArgs ?? []), main], env, join(scratch, `${config.id}.log`), root);
  try {
    const readyMs = await waitReady(`${base}/v2/health/ready`, server, startedAt);
    const ready = await status(server.pid);
    // The bench's label check: the same requests, so the heap has seen what it sees.
    await checkLabels(config.id, `${base}/get_score`, check, { one: join(benchScratch, 'bodies', 'one.json'), batch: join(benchScratch, 'bodies', 'batch.json') });
    const idleFrom = performance.now();
    await sleep(1000);
    const idle = await status(server.pid);
    await sleep(12_000 - (performance.now() - idleFrom));
    const later = await status(server.pid);
    return { readyMs, rssReady: ready.rss, rssIdle: idle.rss, anonIdle: idle.anon, fileIdle: idle.file, threads: idle.threads, rssIdle12s: later.rss };
  } finally {
    await stopServer(server);
  }
}

const median = (values: number[]) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  if (!existsSync(join(benchScratch, 'check.json')) || !existsSync(join(root, 'libs', 'runtime', 'dist', 'index.js'))) {
    process.stderr.write('needs the trained model and the built runtime: run `npm run bench:vs-flask -- --smoke --only modelyard` first\n');
    process.exit(2);
  }
  await mkdir(join(scratch, 'app', 'dist'), { recursive: true });
  await writeFile(join(scratch, 'app', 'dist', 'main.js'), appMain(MODEL));
  const check = JSON.parse(await readFile(join(benchScratch, 'check.json'), 'utf8')) as CheckData;

  const rows: string[] = [];
  const results: Record<string, Run[]> = {};
  for (const config of configs) {
    const all: Run[] = [];
    for (let i = 0; i < runs; i++) all.push(await measureOnce(config, check));
    results[config.id] = all;
    const m = (k: keyof Run) => median(all.map((r) => r[k]));
    const row = `| ${config.what} | ${m('rssReady').toFixed(1)} | **${m('rssIdle').toFixed(1)}** | ${m('anonIdle').toFixed(1)} / ${m('fileIdle').toFixed(1)} | ${m('rssIdle12s').toFixed(1)} | ${m('threads')} | ${m('readyMs').toFixed(0)} |`;
    rows.push(row);
    process.stdout.write(`${config.id}: ${row}\n`);
  }
  const loadavg = (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
  const table = [
    `Median of ${runs} runs; MB = 10^6 bytes; load average at the end ${loadavg}; Node ${process.version}.`,
    '',
    '| configuration | RSS at ready | RSS idle (the bench\'s figure) | of it anonymous / file-backed | RSS after 12 s idle | threads | ready (ms) |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  await writeFile(join(scratch, 'memory.md'), `${table}\n`);
  await writeFile(join(scratch, 'memory.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n${table}\n\nwritten to ${join(scratch, 'memory.md')}\n`);
}

await main();
