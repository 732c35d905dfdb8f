/**
 * 100-record batches at c=8: how far one event loop gets, how far PROCESSES=2 gets, and how
 * far the v2 binary tensor extension gets, against the single-loop ceiling of Node itself
 * (node:http + JSON.parse + JSON.stringify). All servers run side by side and are measured
 * in one run, so the ratios hold even on a shared machine whose absolute figures drift.
 *
 *   npx tsx tools/bench/cores-and-binary.ts   → docs/benchmarks/cores-and-binary.{md,json}
 */
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { PENGUIN_INPUTS as FIELDS, PENGUIN_STRING_INPUTS as STRINGS, startAppProcess, type AppProcess } from '@modelyard/runtime/testing';
import { wrk, type WrkResult } from './wrk.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 8);
const CONNECTIONS = 8;
const ROWS = 100;


interface Body {
  path: string;
  body: Buffer | string;
  headers: Record<string, string>;
}

async function bodies(): Promise<Record<'getScore' | 'v2Json' | 'v2Binary', Body>> {
  const all = JSON.parse(await readFile('models/penguins/2/reference.json', 'utf8')).records as Record<string, unknown>[];
  const records = Array.from({ length: ROWS }, (_, i) => all[i % all.length]!);
  const json = { 'content-type': 'application/json' };
  const column = (name: string, field: string) => records.map((r) => r[field] ?? (STRINGS.has(name) ? '' : null));

  const v2Inputs = Object.entries(FIELDS).map(([name, field]) => ({ name, shape: [ROWS, 1], datatype: STRINGS.has(name) ? 'BYTES' : 'FP32', data: column(name, field) }));
  const tails: Buffer[] = [];
  const binInputs = Object.entries(FIELDS).map(([name, field]) => {
    let bytes: Buffer;
    if (STRINGS.has(name)) {
      bytes = Buffer.concat(column(name, field).flatMap((v) => {
        const s = Buffer.from(String(v));
        const len = Buffer.alloc(4);
        len.writeUInt32LE(s.length);
        return [len, s];
      }));
    } else {
      bytes = Buffer.from(new Float32Array(column(name, field).map((v) => (v === null ? NaN : Number(v)))).buffer);
    }
    tails.push(bytes);
    return { name, shape: [ROWS, 1], datatype: STRINGS.has(name) ? 'BYTES' : 'FP32', parameters: { binary_data_size: bytes.length } };
  });
  const header = Buffer.from(JSON.stringify({ inputs: binInputs, parameters: { binary_data_output: true } }));
  return {
    getScore: { path: '/get_score', body: JSON.stringify({ data: records }), headers: json },
    v2Json: { path: '/v2/models/penguins/versions/2/infer', body: JSON.stringify({ inputs: v2Inputs }), headers: json },
    v2Binary: {
      path: '/v2/models/penguins/versions/2/infer',
      body: Buffer.concat([header, ...tails]),
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
    },
  };
}

/** CPU seconds (user + system) used so far by a process and all its descendants (Linux procfs; 100 ticks/s). */
function treeCpuSeconds(pid: number): number {
  let ticks = 0;
  const visit = (p: number) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
      for (const child of readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) visit(Number(child));
    } catch {
      // a process that exited meanwhile
    }
  };
  visit(pid);
  return ticks / 100;
}

/** The single-loop ceiling: read the body, JSON.parse it, JSON.stringify a small reply. */
function ceilingServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: unknown[] };
      const reply = JSON.stringify({ msg: 'Successful!', code: 200, n: body.data.length });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply) });
      res.end(reply);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })));
}

/** Ready means every process has loaded both penguins versions (the summed load counter). */
async function startApp(processes: number): Promise<AppProcess> {
  const app = await startAppProcess('penguins', { PROCESSES: String(processes), LOG_LEVEL: 'warn' }, 120_000);
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
    const text = await fetch(`${app.url}/metrics`).then((r) => r.text());
    const loads = text.split('\n').filter((l) => l.startsWith('modelyard_model_loads_total{') && l.includes('result="success"'));
    if (loads.reduce((s, l) => s + Number(l.split(' ').pop()), 0) >= 2 * processes) return app;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`PROCESSES=${processes} did not load in time`);
}

async function main() {
  const b = await bodies();
  const ceiling = await ceilingServer();
  const one = await startApp(1);
  const two = await startApp(2);
  const rows: { name: string; result: WrkResult; recordsPerCpuSecond: number }[] = [];
  const measure = async (name: string, url: string, body: Body, pid: number) => {
    await wrk({ url: url + body.path, body: body.body, headers: body.headers, connections: CONNECTIONS, seconds: 1 });
    const cpuBefore = treeCpuSeconds(pid);
    const result = await wrk({ url: url + body.path, body: body.body, headers: body.headers, connections: CONNECTIONS, seconds: SECONDS });
    const cpu = treeCpuSeconds(pid) - cpuBefore;
    const recordsPerCpuSecond = (result.requestsPerSecond * SECONDS * ROWS) / cpu;
    rows.push({ name, result, recordsPerCpuSecond });
    console.log(name, Math.round(result.requestsPerSecond * ROWS), 'records/s', result);
  };
  try {
    await measure('node:http + JSON.parse ceiling (1 loop)', ceiling.url, { ...b.getScore, path: '/' }, process.pid);
    await measure('get_score JSON, PROCESSES=1', one.url, b.getScore, one.child.pid!);
    await measure('get_score JSON, PROCESSES=2', two.url, b.getScore, two.child.pid!);
    await measure('v2 infer JSON, PROCESSES=1', one.url, b.v2Json, one.child.pid!);
    await measure('v2 infer JSON, PROCESSES=2', two.url, b.v2Json, two.child.pid!);
    await measure('v2 infer binary, PROCESSES=1', one.url, b.v2Binary, one.child.pid!);
    await measure('v2 infer binary, PROCESSES=2', two.url, b.v2Binary, two.child.pid!);
  } finally {
    await Promise.all([one.stop(), two.stop()]);
    ceiling.server.close();
  }

  const rps = (name: string) => rows.find((r) => r.name === name)!.result.requestsPerSecond * ROWS;
  const ceil = rps('node:http + JSON.parse ceiling (1 loop)');
  const table = rows
    .map(({ name, result: r, recordsPerCpuSecond }) => `| ${name} | ${Math.round(r.requestsPerSecond * ROWS).toLocaleString('en')} | ${(r.requestsPerSecond * ROWS / ceil).toFixed(2)} | ${Math.round(recordsPerCpuSecond).toLocaleString('en')} | ${r.p50ms.toFixed(1)} | ${r.p99ms.toFixed(1)} | ${r.failures} |`)
    .join('\n');
  const ratio = (a: string, c: string) => (rps(a) / rps(c)).toFixed(2);
  const cpu = (name: string) => rows.find((r) => r.name === name)!.recordsPerCpuSecond;
  const cpuRatio = (a: string, c: string) => (cpu(a) / cpu(c)).toFixed(2);
  const md = `# 100-record batches across cores, JSON vs binary

Generated by \`npx tsx tools/bench/cores-and-binary.ts\` on ${new Date().toISOString().slice(0, 10)}: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, wrk, ${CONNECTIONS} connections, ${SECONDS} s per cell after a 1 s warm-up, the penguins app (version 2, a scikit-learn random forest) run from source with default settings. All servers ran side by side in this one run; the machine is shared, so read the ratios, not the absolute figures.

| server, body of ${ROWS} records | records/s | ÷ ceiling | records per CPU-second | p50 ms | p99 ms | failures |
|---|---:|---:|---:|---:|---:|---:|
${table}

## Ratios

- PROCESSES=2 ÷ PROCESSES=1, get_score JSON: **${ratio('get_score JSON, PROCESSES=2', 'get_score JSON, PROCESSES=1')}**; v2 JSON: **${ratio('v2 infer JSON, PROCESSES=2', 'v2 infer JSON, PROCESSES=1')}**.
- v2 binary ÷ v2 JSON: **${ratio('v2 infer binary, PROCESSES=1', 'v2 infer JSON, PROCESSES=1')}** with one process, **${ratio('v2 infer binary, PROCESSES=2', 'v2 infer JSON, PROCESSES=2')}** with two.
- Cost per record (records per CPU-second of the whole server process tree, which a busy shared machine does not distort as much as wall-clock throughput): v2 binary ÷ v2 JSON **${cpuRatio('v2 infer binary, PROCESSES=1', 'v2 infer JSON, PROCESSES=1')}**; get_score JSON ÷ the ceiling **${cpuRatio('get_score JSON, PROCESSES=1', 'node:http + JSON.parse ceiling (1 loop)')}**.
- get_score JSON with PROCESSES=2 ÷ the single-loop node:http + JSON.parse ceiling: **${(rps('get_score JSON, PROCESSES=2') / ceil).toFixed(2)}**.
`;
  await writeFile('docs/benchmarks/cores-and-binary.md', md);
  await writeFile('docs/benchmarks/cores-and-binary.json', JSON.stringify({ date: new Date().toISOString(), seconds: SECONDS, connections: CONNECTIONS, rows }, null, 2) + '\n');
  console.log(md);
}

await main();
