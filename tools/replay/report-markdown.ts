import type { ReplayReport } from '@modelyard/runtime';

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
const num = (x: number) => (x === 0 ? '0' : x < 1e-3 ? x.toExponential(2) : x.toFixed(4));
const cell = (v: unknown) => JSON.stringify(v).replace(/\|/g, '\\|');

/** The replay report for people: the JSON's figures, the distribution and the rows to read. */
export function renderMarkdown(r: ReplayReport): string {
  const lines = [
    `# Replay: ${r.model}, ${r.current} → ${r.candidate}`,
    '',
    `| | |`,
    `|---|---|`,
    `| requests | ${r.requests} |`,
    `| rows compared | ${r.rows} |`,
    `| label flips | ${r.labelFlips} (${pct(r.labelFlipRate)}) |`,
    `| mean \\|Δ\\| (per row, largest over its numbers) | ${num(r.meanAbsDelta)} |`,
    `| max \\|Δ\\| | ${num(r.maxAbsDelta)} |`,
    `| \\|Δ\\| p50 / p90 / p99 | ${num(r.quantiles.p50)} / ${num(r.quantiles.p90)} / ${num(r.quantiles.p99)} |`,
    `| latency, current (mean / p50 / p95 ms) | ${r.latency.current.meanMs} / ${r.latency.current.p50Ms} / ${r.latency.current.p95Ms} |`,
    `| latency, candidate (mean / p50 / p95 ms) | ${r.latency.candidate.meanMs} / ${r.latency.candidate.p50Ms} / ${r.latency.candidate.p95Ms} |`,
    `| failed requests | ${r.failures.length} |`,
    '',
    '## Probability shift',
    '',
    '| \\|Δ\\| ≤ | rows |',
    '|---|---|',
    ...r.distribution.map((d) => `| ${d.le === 'inf' ? '∞' : d.le} | ${d.rows} |`),
    '',
    '## Most changed rows',
    '',
  ];
  if (r.mostChanged.length === 0) lines.push('None: every row answered the same.');
  else {
    lines.push('| request | row | label flip | max \\|Δ\\| | record | current | candidate |', '|---|---|---|---|---|---|---|');
    for (const c of r.mostChanged) lines.push(`| ${c.request} | ${c.row} | ${c.labelFlip ? 'yes' : ''} | ${num(c.maxAbsDelta)} | ${c.record ? cell(c.record) : ''} | ${cell(c.current)} | ${cell(c.candidate)} |`);
  }
  if (r.failures.length > 0) {
    lines.push('', '## Failed requests', '', '| request | side | error |', '|---|---|---|');
    for (const f of r.failures.slice(0, 20)) lines.push(`| ${f.request} | ${f.side} | ${f.error.replace(/\|/g, '\\|')} |`);
  }
  return lines.join('\n') + '\n';
}
