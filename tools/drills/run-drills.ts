/**
 * `npm run drills`: the long reliability drills against real app processes on 127.0.0.1,
 * one after the other, then a dated report in docs/reliability.md. Exits non-zero when a
 * promise did not hold. DRILLS=hot-swap,sigterm picks some; the DRILL_* variables in each
 * drill shorten them.
 */
import { writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import type { DrillResult } from './drill.js';
import { fuzzDrill, fuzzInterpreterDrill } from './fuzz.js';
import { hotSwapDrill } from './hot-swap.js';
import { largeBodyDrill } from './large-body.js';
import { nestedDrill } from './nested.js';
import { overloadDrill } from './overload.js';
import { sigtermDrill } from './sigterm.js';

const DRILLS: Record<string, () => Promise<DrillResult>> = {
  'hot-swap': hotSwapDrill,
  sigterm: sigtermDrill,
  fuzz: fuzzDrill,
  'fuzz-interpreter': fuzzInterpreterDrill,
  overload: overloadDrill,
  nested: nestedDrill,
  'large-body': largeBodyDrill,
};

const REPORT = process.env['DRILL_REPORT'] ?? 'docs/reliability.md';

function render(results: DrillResult[], startedAt: Date, seconds: number, load: number[]): string {
  const row = (r: DrillResult) =>
    `| ${r.name} | ${r.held ? 'held' : '**did not hold**'} | ${r.requests.toLocaleString('en')} | ${Object.entries(r.failures).filter(([, n]) => n > 0).map(([k, n]) => `${k}: ${n}`).join('; ') || '0'} | ${r.fiveXX} | ${r.crashes} | ${r.maxProbeMs ?? '–'} | ${r.rssPeakMiB ?? '–'} |`;
  const sections = results.map(
    (r) => `### ${r.name}: ${r.held ? 'held' : 'did not hold'}

Promise: ${r.promise}

| figure | value |
|---|---|
| requests sent | ${r.requests.toLocaleString('en')} |
| failures by kind | ${Object.entries(r.failures).map(([k, n]) => `${k}: ${n}`).join('; ') || 'none'} |
| 5xx | ${r.fiveXX} |
| crashes | ${r.crashes} |
${r.maxProbeMs !== undefined ? `| max probe latency (ms) | ${r.maxProbeMs} |\n` : ''}${r.rssPeakMiB !== undefined ? `| RSS peak (MiB) | ${r.rssPeakMiB} |\n` : ''}${Object.entries(r.figures).map(([k, v]) => `| ${k} | ${String(v).replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`).join('\n')}
| duration (s) | ${r.seconds.toFixed(1)} |
`,
  );
  return `# Reliability drills

What \`npm run drills\` (tools/drills/) last measured: the runtime under hot swaps, SIGTERM,
hostile bodies, overload and a memory attack, each against a real app process
(\`apps/penguins\`) on 127.0.0.1. The shorter versions of these scenarios run in \`npm test\`.
The drills run one after the other on a shared machine; latencies move between runs, the
counts of failures should not.

Run: ${startedAt.toISOString()} · ${seconds.toFixed(0)} s · Node ${process.version} · ${availableParallelism()} cores (${cpus()[0]?.model.trim()}) · ${(totalmem() / 2 ** 30).toFixed(1)} GiB · load average at start / end: ${load.map((l) => l.toFixed(1)).join(' / ')} (other work shares the machine; latencies are only as good as that)

| drill | promise | requests | failures by kind | 5xx | crashes | max probe ms | RSS peak MiB |
|---|---|---|---|---|---|---|---|
${results.map(row).join('\n')}

${sections.join('\n')}`;
}

async function main(): Promise<void> {
  const wanted = (process.env['DRILLS'] ?? Object.keys(DRILLS).join(',')).split(',');
  const startedAt = new Date();
  const loadAtStart = loadavg()[0]!;
  const results: DrillResult[] = [];
  for (const name of wanted) {
    const drill = DRILLS[name];
    if (!drill) throw new Error(`no drill "${name}"; there are ${Object.keys(DRILLS).join(', ')}`);
    console.log(`drill ${name}...`);
    const r = await drill();
    console.log(`  ${r.held ? 'held' : 'DID NOT HOLD'}: ${r.requests} requests, ${JSON.stringify(r.failures)}, 5xx ${r.fiveXX}, crashes ${r.crashes}, ${JSON.stringify(r.figures).slice(0, 400)}`);
    results.push(r);
  }
  await writeFile(REPORT, render(results, startedAt, (Date.now() - startedAt.getTime()) / 1000, [loadAtStart, loadavg()[0]!]));
  console.log(`report: ${REPORT}`);
  if (results.some((r) => !r.held)) process.exitCode = 1;
}

await main();
