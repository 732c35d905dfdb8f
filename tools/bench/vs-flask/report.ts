/** Results → the issue's targets with pass/fail, and docs/benchmarks/vs-flask.md. */
import type { CellResult } from './wrk.js';
import type { ServerId } from './servers.js';

export type CellId = 'one-c1' | 'one-c8' | 'one-c32' | 'batch-c8' | 'binary-c8';

export const CELL_TITLES: Record<CellId, string> = {
  'one-c1': '1 record, c=1',
  'one-c8': '1 record, c=8',
  'one-c32': '1 record, c=32',
  'batch-c8': '100 records, c=8',
  'binary-c8': '100 records, c=8, v2 binary',
};

export interface ServerResult {
  id: ServerId;
  title: string;
  coldStartMs?: number;
  /** Right after ready, before any request. */
  rssReadyMb?: number;
  rssIdleMb?: number;
  rssAfterLoadMb?: number;
  pssIdleMb?: number;
  pssAfterLoadMb?: number;
  processes?: number;
  cells: Partial<Record<CellId, CellResult>>;
  /** Cells not run, with the reason (never skipped silently). */
  notAvailable: Partial<Record<CellId, string>>;
}

export interface Results {
  date: string;
  smoke: boolean;
  secondsPerCell: number;
  wrkThreads: number;
  warmupSeconds: number;
  machine: Record<string, unknown>;
  dataset: Record<string, unknown>;
  servers: ServerResult[];
  /** Runs of the model alone, µs per run (model-alone.ts): onnxruntime-node, and the interpreter (absent in older results). */
  modelAlone?: { oneRecordUs: number; hundredRecordsUs: number; oneRecordInterpreterUs?: number; hundredRecordsInterpreterUs?: number };
}

export interface Target {
  target: string;
  measured: string;
  /** undefined: this benchmark cannot measure it, or the cell was not available. */
  pass?: boolean;
}

const fmt = (n: number | undefined, digits = 0): string =>
  n === undefined || !Number.isFinite(n) ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ratio = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined || b === 0 ? undefined : a / b);
const mb = (n: number | undefined): string => (n === undefined ? '–' : `${fmt(n, 1)} MB`);
const times = (r: number | undefined): string => (r === undefined ? '–' : `${fmt(r, r < 10 ? 2 : 1)}×`);
const pct = (r: number | undefined): string => (r === undefined ? '–' : `${fmt(r * 100, 0)} %`);

function cell(results: Results, server: ServerId, id: CellId): CellResult | undefined {
  return results.servers.find((s) => s.id === server)?.cells[id];
}

function errorCount(r: CellResult | undefined): number {
  if (!r) return 0;
  const e = r.errors;
  return e.connect + e.read + e.write + e.status + e.timeout;
}

/** A figure from a cell with errors is not a pass, whatever its value. */
function clean(r: CellResult | undefined): boolean {
  return r !== undefined && errorCount(r) === 0;
}

export function targets(results: Results): Target[] {
  const my = (id: CellId) => cell(results, 'modelyard', id);
  const flask = (id: CellId) => cell(results, 'flask', id);
  const json = (id: CellId) => cell(results, 'node-json', id);
  const modelyard = results.servers.find((s) => s.id === 'modelyard');
  const out: Target[] = [];
  const ratioTarget = (target: string, a: CellResult | undefined, b: CellResult | undefined, min: number, asPct: boolean, field: 'requestsPerSecond' | 'recordsPerSecond') => {
    if (a?.requests === 0 || b?.requests === 0) {
      out.push({ target, measured: 'not measured: a cell completed no request in its time' });
      return;
    }
    const r = ratio(a?.[field], b?.[field]);
    const errors = errorCount(a) + errorCount(b);
    const note = errors ? ` (but ${errors} errors in the cells compared)` : '';
    out.push({ target, measured: (asPct ? pct(r) : times(r)) + note, pass: r === undefined ? undefined : r >= min && clean(a) && clean(b) });
  };
  ratioTarget('1 record, c=32: modelyard ≥ 18× gunicorn×2', my('one-c32'), flask('one-c32'), 18, false, 'requestsPerSecond');
  ratioTarget('1 record, c=32: modelyard ≥ 35 % of bare node:http + JSON.parse', my('one-c32'), json('one-c32'), 0.35, true, 'requestsPerSecond');
  const p99 = my('one-c32')?.requests ? my('one-c32')?.p99Ms : undefined;
  out.push({ target: '1 record, c=32: modelyard p99 ≤ 8 ms', measured: `${fmt(p99, 1)} ms`, pass: p99 === undefined ? undefined : p99 <= 8 });
  ratioTarget('1 record, c=1: modelyard ≥ 60 % of bare node:http + JSON.parse', my('one-c1'), json('one-c1'), 0.6, true, 'requestsPerSecond');
  ratioTarget('100 records, c=8, JSON: modelyard ≥ 5× gunicorn×2 records/s', my('batch-c8'), flask('batch-c8'), 5, false, 'recordsPerSecond');
  ratioTarget('100 records, c=8, JSON: modelyard ≥ 1× bare node:http + JSON.parse records/s', my('batch-c8'), json('batch-c8'), 1, false, 'recordsPerSecond');
  const binaryMissing = modelyard?.notAvailable['binary-c8'];
  if (binaryMissing) out.push({ target: '100 records, v2 binary extension: ≥ 4× the JSON records/s', measured: `not available: ${binaryMissing}` });
  else ratioTarget('100 records, v2 binary extension: ≥ 4× the JSON records/s', my('binary-c8'), my('batch-c8'), 4, false, 'recordsPerSecond');
  // The same targets for the same app run with PROCESSES=2: the issue's "beat it by using both cores".
  const two = (id: CellId) => cell(results, 'modelyard-2p', id);
  if (results.servers.some((s) => s.id === 'modelyard-2p')) {
    ratioTarget('PROCESSES=2, 1 record, c=32: ≥ 18× gunicorn×2', two('one-c32'), flask('one-c32'), 18, false, 'requestsPerSecond');
    ratioTarget('PROCESSES=2, 1 record, c=32: ≥ 35 % of bare node:http + JSON.parse', two('one-c32'), json('one-c32'), 0.35, true, 'requestsPerSecond');
    const p99two = two('one-c32')?.requests ? two('one-c32')?.p99Ms : undefined;
    out.push({ target: 'PROCESSES=2, 1 record, c=32: p99 ≤ 8 ms', measured: `${fmt(p99two, 1)} ms`, pass: p99two === undefined ? undefined : p99two <= 8 });
    ratioTarget('PROCESSES=2, 100 records, c=8, JSON: ≥ 5× gunicorn×2 records/s', two('batch-c8'), flask('batch-c8'), 5, false, 'recordsPerSecond');
    ratioTarget('PROCESSES=2, 100 records, c=8, JSON: ≥ 1× bare node:http + JSON.parse records/s', two('batch-c8'), json('batch-c8'), 1, false, 'recordsPerSecond');
  }
  const rss = modelyard?.rssIdleMb;
  out.push({ target: 'modelyard RSS idle ≤ 90 MB', measured: mb(rss), pass: rss === undefined ? undefined : rss <= 90 });
  const cold = modelyard?.coldStartMs;
  out.push({ target: 'modelyard cold start to ready ≤ 1 s', measured: `${fmt(cold, 0)} ms`, pass: cold === undefined ? undefined : cold <= 1000 });
  out.push({ target: 'one data plane for the four protocols; a lint rule against upward imports; existing tests pass', measured: 'not measured by this benchmark (see the lint rule and `npm test`)' });
  return out;
}

const mark = (pass: boolean | undefined): string => (pass === undefined ? '–' : pass ? 'pass' : '**FAIL**');

export function markdown(results: Results): string {
  const cellIds = Object.keys(CELL_TITLES) as CellId[];
  const lines: string[] = [];
  const m = results.machine;
  lines.push('# modelyard vs the old Flask service');
  lines.push('');
  lines.push('Written by `npm run bench:vs-flask` (tools/bench/vs-flask/). Compare the **ratios**; the absolute');
  lines.push('figures move with the machine and with whatever else runs on it (see the load average below).');
  if (results.smoke) lines.push('', `> **Smoke run** (${results.secondsPerCell} s per cell): it checks that the harness works; its figures are not a measurement.`);
  const busiest = Math.max(Number(results.machine['loadBefore']), Number(results.machine['loadAfter']));
  if (busiest > Number(results.machine['cpus'])) {
    lines.push('', `> **Busy machine**: the load average reached ${busiest.toFixed(1)} on ${results.machine['cpus']} CPUs during this run, so every server got`);
    lines.push('> a fraction of a core at varying times. The figures and even the ratios are distorted; re-run on a quiet machine.');
  }
  lines.push('');
  lines.push(`- date: ${results.date}`);
  lines.push(`- machine: ${m['cpus']} CPUs (nproc), ${m['cpuModel']}, ${fmt(Number(m['memoryGb']), 1)} GB RAM, Linux ${m['kernel']}`);
  lines.push(`- load average (1 min) before / after the run: ${m['loadBefore']} / ${m['loadAfter']}`);
  lines.push(`- Node ${m['node']}, onnxruntime-node ${m['onnxruntime']}; Python ${m['python']}, scikit-learn ${m['scikit-learn']}, pandas ${m['pandas']}, Flask ${m['flask']}, gunicorn ${m['gunicorn']}; ${m['wrk']}`);
  lines.push(`- commit: ${m['commit']}`);
  lines.push(`- wrk on the same machine, ${results.wrkThreads} thread(s), ${results.secondsPerCell} s per cell after ${results.warmupSeconds} s of unrecorded warm-up, one server at a time, all on 127.0.0.1`);
  lines.push('');
  const d = results.dataset;
  lines.push('## The model');
  lines.push('');
  lines.push(`Real data: vega-datasets' \`seattle-weather.csv\` (${d['rows']} records, one for every day but the first). Each record is what was known the evening`);
  lines.push(`before a day: ${d['numeric']} numbers (precipitation, temp_max, temp_min, wind on each of the 7 days before; day of year as sin/cos;`);
  lines.push(`null where a day precedes the data) and ${d['categorical']} strings (yesterday's weather, the month). Target: the day's weather`);
  lines.push(`(${(d['classes'] as string[]).join(', ')}). Trained on the first ${d['train']} days, ${d['heldOut']} held out (accuracy ${d['heldOutAccuracy']}).`);
  lines.push('Pipeline: `SimpleImputer` + `StandardScaler` on the numbers, `OneHotEncoder(handle_unknown="ignore")` on the strings,');
  lines.push('`LogisticRegression`; transformer and model pickled separately for Flask, the same fitted pipeline written to ONNX for');
  lines.push('modelyard (one `[N, 1]` input per column, as skl2onnx names a DataFrame\'s; built with tools/models/onnx_graphs.py because');
  lines.push('skl2onnx is not packaged for Debian). Before measuring, both servers gave scikit-learn\'s own label for every held-out record,');
  lines.push('for the first days (null lags), one record at a time and in batches.');
  lines.push('');
  lines.push('Every server gets the same bodies: `POST /get_score` with `{"data": [1 record]}` or `{"data": [100 records]}`.');
  lines.push('');
  lines.push('## Throughput (requests/s; records/s for 100-record bodies) and latency');
  lines.push('');
  lines.push(`| server | ${cellIds.map((c) => CELL_TITLES[c]).join(' | ')} |`);
  lines.push(`|---|${cellIds.map(() => '---').join('|')}|`);
  for (const s of results.servers) {
    const row = cellIds.map((id) => {
      const r = s.cells[id];
      if (!r) return s.notAvailable[id] ? 'not available' : '–';
      if (r.requests === 0) return `no request completed in ${results.secondsPerCell} s<br>**${errorCount(r)} errors**`;
      const figure = id.startsWith('one') ? `${fmt(r.requestsPerSecond)} req/s` : `${fmt(r.recordsPerSecond / 1000, 1)} k rec/s`;
      const errs = errorCount(r);
      return `${figure}<br>p50 ${fmt(r.p50Ms, 2)} / p99 ${fmt(r.p99Ms, 2)} ms${errs ? `<br>**${errs} errors**` : ''}`;
    });
    lines.push(`| ${s.title} | ${row.join(' | ')} |`);
  }
  lines.push('');
  const missing = results.servers.flatMap((s) => Object.entries(s.notAvailable).map(([id, why]) => `- ${s.id}, ${CELL_TITLES[id as CellId]}: not available — ${why}`));
  if (missing.length) lines.push(...missing, '');
  lines.push('## Memory and cold start (the model servers)');
  lines.push('');
  lines.push('| server | RSS at ready | RSS idle | RSS after load | PSS idle | PSS after load | processes | cold start to ready |');
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const s of results.servers.filter((x) => x.rssIdleMb !== undefined)) {
    lines.push(`| ${s.title} | ${mb(s.rssReadyMb)} | ${mb(s.rssIdleMb)} | ${mb(s.rssAfterLoadMb)} | ${mb(s.pssIdleMb)} | ${mb(s.pssAfterLoadMb)} | ${s.processes ?? '–'} | ${fmt(s.coldStartMs)} ms |`);
  }
  lines.push('');
  lines.push('RSS is VmRSS summed over the process tree (gunicorn: master + 2 workers; modelyard: one process, its worker');
  lines.push('threads included): "at ready" before any request, "idle" after the label check and a 1 s pause (the target\'s');
  lines.push('figure), "after load" right after the last cell. Cold start:');
  lines.push('spawn until `GET /v2/health/ready` (modelyard) or `GET /health` (Flask) answers 200. PSS counts pages shared');
  lines.push('between processes once: gunicorn\'s workers share what the master held before forking (without `--preload`, as');
  lines.push('here, each worker imports pandas and scikit-learn itself). PSS also splits shared libraries with every other');
  lines.push('process that maps them (other Node processes on the machine), so it moves with what else runs; RSS does not.');
  lines.push('');
  lines.push('## Ratios');
  lines.push('');
  // One column group per modelyard row measured: the single-process app, and the same app with PROCESSES=2.
  const mine = (['modelyard', 'modelyard-2p', 'modelyard-ort'] as const).filter((id) => results.servers.some((s) => s.id === id));
  const label = (id: ServerId) => ({ 'modelyard-2p': 'modelyard PROCESSES=2', 'modelyard-ort': 'modelyard on onnxruntime' })[id as string] ?? 'modelyard';
  const heads = mine.flatMap((id) => [`${label(id)} ÷ gunicorn×2`, `${label(id)} ÷ node:http + JSON`, `${label(id)} ÷ node:http constant`]);
  lines.push(`| cell | ${heads.join(' | ')} |`);
  lines.push(`|---|${heads.map(() => '---').join('|')}|`);
  for (const id of cellIds.filter((c) => c !== 'binary-c8')) {
    const figures = mine.flatMap((server) => {
      const my = cell(results, server, id)?.requestsPerSecond;
      return [times(ratio(my, cell(results, 'flask', id)?.requestsPerSecond)), pct(ratio(my, cell(results, 'node-json', id)?.requestsPerSecond)), pct(ratio(my, cell(results, 'node-constant', id)?.requestsPerSecond))];
    });
    lines.push(`| ${CELL_TITLES[id]} | ${figures.join(' | ')} |`);
  }
  if (mine.includes('modelyard-2p')) {
    lines.push('');
    lines.push('`PROCESSES=2` runs the same built app as two server processes behind one port (node:cluster), each with its own');
    lines.push('event loop, model and onnxruntime worker pool: the issue\'s "use both cores" figure. Its RSS above is summed over the');
    lines.push('primary and both server processes.');
  }
  lines.push('');
  const alone = results.modelAlone;
  if (alone) {
    // A server running this model in its event loop pays at least the bare round trip plus one run.
    const c1 = cell(results, 'node-json', 'one-c1')?.requestsPerSecond;
    const ceiling = c1 ? 1 / (1 / c1 + alone.oneRecordUs / 1e6) : undefined;
    lines.push('## The model alone');
    lines.push('');
    lines.push('Runs of the same model on one thread with tensors built once (tools/bench/vs-flask/model-alone.ts; median of 5');
    lines.push('rounds of 1 s): onnxruntime-node with the runtime\'s session options, and modelyard\'s interpreter, which');
    lines.push('`onnx.execution: auto` picks for this graph. No HTTP, no JSON, no feature work.');
    lines.push('');
    lines.push('| run | onnxruntime, µs per run | interpreter, µs per run |');
    lines.push('|---|---|---|');
    lines.push(`| 1 record | ${fmt(alone.oneRecordUs, 1)} | ${fmt(alone.oneRecordInterpreterUs, 1)} |`);
    lines.push(`| 100 records | ${fmt(alone.hundredRecordsUs, 1)} | ${fmt(alone.hundredRecordsInterpreterUs, 1)} |`);
    lines.push('');
    lines.push(`At c=1 every request waits for one run, so no server running this model on onnxruntime can exceed the bare`);
    lines.push(`node:http + JSON round trip plus one run: ${fmt(ceiling)} req/s here, ${pct(ratio(ceiling, c1))} of bare node:http + JSON, before any`);
    lines.push('HTTP framework, decoding, features, metrics or logging. That bound is optimistic: timed inside a serving');
    lines.push('process, the same run takes about twice as long, since the request path between runs leaves onnxruntime\'s');
    lines.push('code and data out of the CPU caches (docs/benchmarks/hotpath.md, session 5).');
    if (alone.oneRecordInterpreterUs !== undefined && c1) {
      const interpreted = 1 / (1 / c1 + alone.oneRecordInterpreterUs / 1e6);
      lines.push(`With the interpreter's run the same bound is ${fmt(interpreted)} req/s, ${pct(ratio(interpreted, c1))} of bare node:http + JSON:`);
      lines.push('what is left between modelyard and it is the request path itself (HTTP, decoding, features, metrics).');
    }
    lines.push('');
  }
  lines.push('## The issue\'s targets (issue 9)');
  lines.push('');
  lines.push('| target | measured | |');
  lines.push('|---|---|---|');
  for (const t of targets(results)) lines.push(`| ${t.target} | ${t.measured} | ${mark(t.pass)} |`);
  lines.push('');
  lines.push('## Run it');
  lines.push('');
  lines.push('```sh');
  lines.push('sudo apt-get install -y python3-sklearn python3-pandas python3-flask python3-onnx gunicorn wrk   # once');
  lines.push('npm run bench:vs-flask                    # 10 s per cell → docs/benchmarks/vs-flask.{md,json}');
  lines.push('npm run bench:vs-flask -- --smoke         # 2 s per cell, checks the harness → tmp/bench-vs-flask/');
  lines.push('npm run bench:vs-flask -- --seconds 30 --wrk-threads 2');
  lines.push('```');
  lines.push('');
  lines.push('Run it on a quiet machine: every server shares the cores with wrk, and with anything else running.');
  lines.push('');
  return lines.join('\n');
}
