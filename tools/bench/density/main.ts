/**
 * Density: 100 models in one yard against 100 single-model processes.
 *
 *   npm run bench:density   → docs/benchmarks/density.{md,json}
 *
 * 100 models (copies of the example models under 100 names: iris and penguins on onnx,
 * cars on tfjs) in a scratch MODELS_DIR, then:
 *  1. one yard, no bound: every model answers TF Serving REST, v2 and legacy get_score,
 *     each checked against its reference.json; RSS with all 100 loaded;
 *  2. one yard, MAX_LOADED_MODELS=20: a Zipf-like mix over all 100 (a few hot, a long tail),
 *     CONCURRENCY requests at a time; p99 of first requests to cold models, hot models' p99,
 *     requests lost, RSS;
 *  3. the same mix with no bound (nothing is evicted): hot models' p99 for comparison;
 *  4. single-model processes, one per model: RSS summed (a sample when 100 do not fit).
 * RSS is read from /proc/<pid>/status (VmRSS) of the server processes themselves. Servers run
 * as built apps do: plain Node on the runtime's compiled dist (built first; DENSITY_NO_BUILD=1
 * reuses it).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, freemem, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, makeYardModels, maxAbsDiff, PENGUIN_INPUTS, PENGUIN_STRING_INPUTS, referenceRows } from '@modelyard/runtime/testing';

const HERE = dirname(fileURLToPath(import.meta.url));
const WORKSPACE = resolve(HERE, '../../..');
const MODELS = Number(process.env['DENSITY_MODELS'] ?? 100);
const MAX_LOADED = Number(process.env['DENSITY_MAX_LOADED'] ?? 20);
const REQUESTS = Number(process.env['DENSITY_REQUESTS'] ?? 3000);
const CONCURRENCY = Number(process.env['DENSITY_CONCURRENCY'] ?? 4);
/** How many single-model processes to start at once for the comparison (100 when they fit). */
const SINGLES = Number(process.env['DENSITY_SINGLES'] ?? 10);
const ZIPF_S = 1.1;
const HOT = 5;

type Kind = 'iris' | 'penguins' | 'cars';
interface Model {
  name: string;
  kind: Kind;
}

/** 100 names; the kinds interleaved so that every Zipf rank mixes them. */
function modelList(): Model[] {
  const kinds: Kind[] = ['iris', 'penguins', 'iris', 'penguins', 'iris', 'penguins', 'iris', 'penguins', 'iris', 'cars'];
  return Array.from({ length: MODELS }, (_, i) => ({ name: `m${String(i).padStart(3, '0')}_${kinds[i % kinds.length]}`, kind: kinds[i % kinds.length]! }));
}

const refs = Object.fromEntries(
  (['iris', 'penguins', 'cars'] as const).map((k) => [k, JSON.parse(readFileSync(join(WORKSPACE, `models/${k}/${k === 'penguins' ? 2 : 1}/reference.json`), 'utf8'))]),
) as Record<Kind, { records: Record<string, unknown>[]; outputs: Record<string, unknown[]> }>;
const N = 5;

// ---- requests, per kind and protocol, with the answer each must give ----

/** A parsed JSON answer, read field by field where the request knows its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of three protocols, checked against references
type Answer = any;

interface Call {
  path: string;
  body: string;
  check(answer: Answer): boolean;
}

const tfText = (v: unknown) => JSON.stringify(v).replace(/null/g, 'NaN');
function calls(m: Model): Record<'tfserving' | 'v2' | 'legacy', Call> {
  const ref = refs[m.kind];
  const records = ref.records.slice(0, N);
  if (m.kind === 'penguins') {
    const column = (input: string) => records.map((r) => r[PENGUIN_INPUTS[input as keyof typeof PENGUIN_INPUTS]] ?? (PENGUIN_STRING_INPUTS.has(input) ? '' : null));
    const labels = ref.outputs['label']!.slice(0, N);
    const instances = records.map((r) => Object.fromEntries(Object.entries(PENGUIN_INPUTS).map(([input, field]) => [input, r[field] ?? (PENGUIN_STRING_INPUTS.has(input) ? '' : null)])));
    return {
      tfserving: { path: `/v1/models/${m.name}:predict`, body: tfText({ instances }), check: (a) => JSON.stringify(a.predictions.map((p: Answer) => p.label)) === JSON.stringify(labels) },
      v2: {
        path: `/v2/models/${m.name}/infer`,
        body: JSON.stringify({ inputs: Object.keys(PENGUIN_INPUTS).map((name) => ({ name, shape: [N, 1], datatype: PENGUIN_STRING_INPUTS.has(name) ? 'BYTES' : 'FP32', data: column(name) })), outputs: [{ name: 'label' }] }),
        check: (a) => JSON.stringify(a.outputs[0].data) === JSON.stringify(labels),
      },
      legacy: { path: `/models/${m.name}/get_score`, body: JSON.stringify({ data: records }), check: (a) => JSON.stringify(a.data.map((d: Answer) => d.label)) === JSON.stringify(labels) },
    };
  }
  const rows = referenceRows(m.kind, records);
  if (m.kind === 'iris') {
    const probs = ref.outputs['probabilities']!.slice(0, N);
    return {
      tfserving: { path: `/v1/models/${m.name}:predict`, body: JSON.stringify({ instances: rows.map((features) => ({ features })) }), check: (a) => maxAbsDiff(a.predictions.map((p: Answer) => p.probabilities), probs) < 1e-5 },
      v2: {
        path: `/v2/models/${m.name}/infer`,
        body: JSON.stringify({ inputs: [{ name: 'features', shape: [N, 4], datatype: 'FP32', data: rows.flat() }], outputs: [{ name: 'probabilities' }] }),
        check: (a) => maxAbsDiff(a.outputs[0].data, probs.flat()) < 1e-5,
      },
      // iris's getScore.output is its probabilities, keyed by class.
      legacy: { path: `/models/${m.name}/get_score`, body: JSON.stringify({ data: records }), check: (a) => maxAbsDiff(a.data.map((d: Answer) => Object.values(d)), probs) < 1e-5 },
    };
  }
  const mpg = ref.outputs['mpg']!.slice(0, N) as number[][];
  return {
    tfserving: { path: `/v1/models/${m.name}:predict`, body: JSON.stringify({ instances: rows }), check: (a) => maxAbsDiff(a.predictions, mpg) < 1e-3 },
    v2: { path: `/v2/models/${m.name}/infer`, body: JSON.stringify({ inputs: [{ name: 'car', shape: [N, 5], datatype: 'FP32', data: rows.flat() }] }), check: (a) => maxAbsDiff(a.outputs[0].data, mpg.flat()) < 1e-3 },
    legacy: { path: `/models/${m.name}/get_score`, body: JSON.stringify({ data: records }), check: (a) => maxAbsDiff(a.data, mpg.flat()) < 1e-3 },
  };
}

// ---- processes ----

interface Server {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function start(env: Record<string, string>, modelsDir: string, timeoutMs = 300_000): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(HERE, 'serve-entry.mjs')], {
    cwd: WORKSPACE,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), MODELS_DIR: modelsDir, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (!(await fetch(`${url}/v2/health/ready`).then((r) => r.ok, () => false))) {
    if (child.exitCode !== null) throw new Error(`server (${JSON.stringify(env)}) exited with ${child.exitCode}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server (${JSON.stringify(env)}) not ready within ${timeoutMs} ms`);
    }
    await sleep(100);
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    url,
    child,
    stop: async () => {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(30_000).then(() => child.kill('SIGKILL'))]);
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resident set of a process, in MB, as the kernel counts it. */
function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

async function send(url: string, call: Call): Promise<{ ok: boolean; ms: number; status: number }> {
  const t0 = performance.now();
  try {
    const res = await fetch(url + call.path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: call.body });
    const text = await res.text();
    const ms = performance.now() - t0;
    return { ok: res.status === 200 && call.check(JSON.parse(text)), ms, status: res.status };
  } catch {
    return { ok: false, ms: performance.now() - t0, status: 0 };
  }
}

const quantile = (values: number[], q: number) => {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};

/** A Zipf-like sequence of model ranks (rank 0 the hottest), seeded so both runs send the same. */
function zipfSequence(n: number, count: number, seed = 42): number[] {
  const weights = Array.from({ length: n }, (_, k) => 1 / Math.pow(k + 1, ZIPF_S));
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  weights.reduce((acc, w, i) => (cdf[i] = acc + w / total), 0);
  let x = seed;
  const random = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: count }, () => {
    const r = random();
    const i = cdf.findIndex((c) => c >= r);
    return i === -1 ? n - 1 : i;
  });
}

interface MixResult {
  requests: number;
  lost: number;
  statuses: Record<string, number>;
  coldP99: number;
  coldP50: number;
  coldCount: number;
  coldMax: number;
  hotP99: number;
  hotP50: number;
  allP99: number;
  seconds: number;
  rssMb: number;
  serverMisses: number;
}

/**
 * The mix, CONCURRENCY at a time, in a fixed order. A request is counted cold when the
 * model was not among the MAX_LOADED most recently requested models when it was sent (an
 * LRU replayed on the client); the server's own miss counter is reported beside it.
 */
async function runMix(server: Server, models: Model[], sequence: number[], maxLoaded: number): Promise<MixResult> {
  const allCalls = models.map((m) => calls(m));
  const protocols = ['tfserving', 'v2', 'legacy'] as const;
  const recent: number[] = [];
  const planned = sequence.map((rank, i) => {
    const at = recent.indexOf(rank);
    const cold = maxLoaded === 0 ? at === -1 && !recent.includes(rank) : at === -1;
    if (at !== -1) recent.splice(at, 1);
    recent.unshift(rank);
    if (maxLoaded > 0 && recent.length > maxLoaded) recent.pop();
    return { rank, cold, call: allCalls[rank]![protocols[i % 3]!] };
  });
  const results: { rank: number; cold: boolean; ok: boolean; ms: number; status: number }[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < planned.length) {
        const p = planned[next++]!;
        const r = await send(server.url, p.call);
        results.push({ rank: p.rank, cold: p.cold, ...r });
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const statuses: Record<string, number> = {};
  for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const cold = results.filter((r) => r.cold).map((r) => r.ms);
  const hot = results.filter((r) => r.rank < HOT && !r.cold).map((r) => r.ms);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  const serverMisses = Number(/^modelyard_yard_requests_total\{result="miss"\} (\d+)/m.exec(metrics)?.[1] ?? 0);
  return {
    requests: results.length,
    lost: results.filter((r) => !r.ok).length,
    statuses,
    coldP99: quantile(cold, 0.99),
    coldP50: quantile(cold, 0.5),
    coldMax: Math.max(0, ...cold),
    coldCount: cold.length,
    hotP99: quantile(hot, 0.99),
    hotP50: quantile(hot, 0.5),
    allP99: quantile(results.map((r) => r.ms), 0.99),
    seconds,
    rssMb: rssMb(server.child.pid!),
    serverMisses,
  };
}

async function main(): Promise<void> {
  if (!process.env['DENSITY_NO_BUILD']) {
    console.log('density: building the runtime (tsc -p libs/runtime/tsconfig.build.json) ...');
    execFileSync(process.execPath, [join(WORKSPACE, 'node_modules/typescript/bin/tsc'), '-p', 'libs/runtime/tsconfig.build.json'], { cwd: WORKSPACE, stdio: 'inherit' });
  }
  const models = modelList();
  const dir = join(WORKSPACE, 'tmp', 'density-models');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await makeYardModels(models.map((m) => ({ name: m.name, from: m.kind })), dir);
  const machine = { cpus: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), freeGb: Math.round(freemem() / 2 ** 30), load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') };
  console.log(`density: ${MODELS} models in ${dir}; machine ${JSON.stringify(machine)}`);

  // 1. All loaded, every protocol checked for every model.
  const all = await start({ MAX_LOADED_MODELS: '0', MODEL_LOAD_TIMEOUT_MS: '60000' }, dir);
  let wrong = 0;
  const idleRss = rssMb(all.child.pid!);
  for (const m of models) {
    for (const [protocol, call] of Object.entries(calls(m))) {
      const r = await send(all.url, call);
      if (!r.ok) {
        wrong++;
        console.error(`${m.name} ${protocol}: ${r.status}`);
      }
    }
  }
  const index = (await (await fetch(`${all.url}/v2/repository/index`, { method: 'POST' })).json()) as { state: string }[];
  const loaded = index.filter((m) => m.state === 'READY').length;
  await sleep(2000);
  const allLoadedRss = rssMb(all.child.pid!);
  console.log(`1. all ${loaded} loaded: RSS ${allLoadedRss.toFixed(0)} MB (idle at start ${idleRss.toFixed(0)} MB); wrong answers: ${wrong} of ${models.length * 3}`);

  // 3 (first, on the same all-loaded yard): the mix with nothing evicted.
  const sequence = zipfSequence(MODELS, REQUESTS);
  const noEviction = await runMix(all, models, sequence, 0);
  console.log(`3. no eviction: hot p99 ${noEviction.hotP99.toFixed(1)} ms, lost ${noEviction.lost}`);
  await all.stop();

  // 2. MAX_LOADED_MODELS=20 under the same mix.
  const bounded = await start({ MAX_LOADED_MODELS: String(MAX_LOADED), MODEL_LOAD_TIMEOUT_MS: '10000' }, dir);
  const startRss = rssMb(bounded.child.pid!);
  const mix = await runMix(bounded, models, sequence, MAX_LOADED);
  await bounded.stop();
  console.log(`2. MAX_LOADED_MODELS=${MAX_LOADED}: cold p99 ${mix.coldP99.toFixed(0)} ms over ${mix.coldCount} cold requests, hot p99 ${mix.hotP99.toFixed(1)} ms, lost ${mix.lost}, RSS ${mix.rssMb.toFixed(0)} MB`);

  // 4. Single-model processes: SINGLES at a time, each measured once ready and after one request.
  const sample = models.slice(0, Math.min(SINGLES, MODELS));
  const singles: { name: string; rssMb: number }[] = [];
  const procs = await Promise.all(sample.map((m) => start({ MODEL: m.name }, dir)));
  for (const [i, p] of procs.entries()) {
    const r = await send(p.url, calls(sample[i]!).tfserving);
    if (!r.ok) throw new Error(`single-model process ${sample[i]!.name} answered wrongly`);
  }
  await sleep(2000);
  for (const [i, p] of procs.entries()) singles.push({ name: sample[i]!.name, rssMb: rssMb(p.child.pid!) });
  await Promise.all(procs.map((p) => p.stop()));
  const singleSum = singles.reduce((a, s) => a + s.rssMb, 0);
  const singleMean = singleSum / singles.length;
  const projected = singleMean * MODELS;
  console.log(`4. ${singles.length} single-model processes: ${singleSum.toFixed(0)} MB, mean ${singleMean.toFixed(0)} MB → ${MODELS} processes ≈ ${(projected / 1024).toFixed(1)} GB`);

  const result = { date: new Date().toISOString(), machine, models: MODELS, kinds: countKinds(models), maxLoaded: MAX_LOADED, requests: REQUESTS, concurrency: CONCURRENCY, zipfS: ZIPF_S, hotModels: HOT, allLoaded: { loaded, wrong, idleRssMb: idleRss, rssMb: allLoadedRss }, noEviction, bounded: { ...mix, startRssMb: startRss }, singles: { measured: singles.length, sumMb: singleSum, meanMb: singleMean, projectedMb: projected, each: singles } };
  await mkdir(join(WORKSPACE, 'docs/benchmarks'), { recursive: true });
  await writeFile(join(WORKSPACE, 'docs/benchmarks/density.json'), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(WORKSPACE, 'docs/benchmarks/density.md'), report(result));
  await rm(dir, { recursive: true, force: true });
}

function countKinds(models: Model[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of models) out[m.kind] = (out[m.kind] ?? 0) + 1;
  return out;
}

const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '–');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');

function report(r: Answer): string {
  const sampled = r.singles.measured < r.models;
  return `# Density: ${r.models} models in one yard vs one process per model

\`npm run bench:density\` (tools/bench/density) on ${r.date.slice(0, 10)}; machine: ${r.machine.cpus} cores, ${r.machine.memoryGb} GB, load average ${r.machine.load} at the start${Number(r.machine.load.split(' ')[0]) > 3 ? ' — **a loaded machine: latencies are inflated; rerun on a quiet one**' : ''}.

${r.models} models: copies of the example models under ${r.models} names (${Object.entries(r.kinds).map(([k, n]) => `${n} × ${k}`).join(', ')}; iris and penguins on onnx — penguins with its two versions both loaded — cars on tfjs). RSS is the kernel's VmRSS of the server process.

| | figure |
|---|---|
| one yard, all ${r.allLoaded.loaded} models loaded: RSS | **${f0(r.allLoaded.rssMb)} MB** (${f0(r.allLoaded.idleRssMb)} MB before the first request) |
| every model on TF Serving REST, v2 and legacy \`get_score\`, checked against its reference.json | ${r.models * 3 - r.allLoaded.wrong} of ${r.models * 3} right |
| ${r.models} single-model processes: RSS sum | **${(r.singles.projectedMb / 1024).toFixed(1)} GB**${sampled ? ` (projected: ${r.singles.measured} processes measured, ${f0(r.singles.sumMb)} MB, mean ${f0(r.singles.meanMb)} MB each, × ${r.models})` : ''} |
| yard with \`MAX_LOADED_MODELS=${r.maxLoaded}\`, Zipf mix (s=${r.zipfS}) over all ${r.models}, ${r.requests} requests at concurrency ${r.concurrency}: RSS at the end | **${f0(r.bounded.rssMb)} MB** |
| requests lost (non-200 or a wrong answer) | **${r.bounded.lost}** (no eviction run: ${r.noEviction.lost}) |
| first requests to a cold model: p50 / p99 / max (${r.bounded.coldCount} requests) | ${f0(r.bounded.coldP50)} / **${f0(r.bounded.coldP99)}** / ${f0(r.bounded.coldMax)} ms |
| hot models (the ${r.hotModels} most requested) p50 / p99, with evictions going on | ${f1(r.bounded.hotP50)} / **${f1(r.bounded.hotP99)}** ms |
| the same, nothing evicted (all loaded, same mix) | ${f1(r.noEviction.hotP50)} / **${f1(r.noEviction.hotP99)}** ms (ratio ${(r.bounded.hotP99 / r.noEviction.hotP99).toFixed(2)}×) |
| the server's own cache misses in the bounded run | ${r.bounded.serverMisses} |

${sampled ? `**Single-model processes were sampled, not all measured**: ${r.singles.measured} were started side by side (each ready and having answered one request), their RSS summed and scaled to ${r.models}. All ${r.models} would need about ${(r.singles.projectedMb / 1024).toFixed(1)} GB, which this ${r.machine.memoryGb} GB machine has, but ${r.models} Node processes starting at once on its ${r.machine.cpus} cores, shared with other work, were not attempted. \`DENSITY_SINGLES=${r.models}\` measures them all.\n\n` : ''}Every protocol here means TF Serving REST, v2 and legacy \`get_score\`; gRPC through a yard is covered by \`libs/runtime/src/yard/yard-protocols.test.ts\`, not by this benchmark.

How to read it: a cold request is one whose model was not among the ${r.maxLoaded} most recently requested when it was sent (an LRU replayed on the client; the server's miss counter is shown beside it). "Lost" counts every answer that was not a 200 with the reference prediction; a 503 from a load that outlasted \`MODEL_LOAD_TIMEOUT_MS\` would count here. Latencies include HTTP on 127.0.0.1 and are from one run on a shared machine.

Status codes, bounded run: ${JSON.stringify(r.bounded.statuses)}; no-eviction run: ${JSON.stringify(r.noEviction.statuses)}.
`;
}

await main();
