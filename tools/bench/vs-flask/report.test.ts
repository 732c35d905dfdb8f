/** The report's PROCESSES=2 row: its targets and ratio columns come from its own cells, next to the single-process row's. */
import { describe, expect, it } from 'vitest';
import { markdown, targets, type CellId, type Results, type ServerResult } from './report.js';
import type { ServerId } from './servers.js';
import type { CellResult } from './wrk.js';

const cellOf = (requestsPerSecond: number, records = 1, p99Ms = 5): CellResult => ({
  requestsPerSecond,
  recordsPerSecond: requestsPerSecond * records,
  requests: Math.round(requestsPerSecond * 10),
  p50Ms: 1,
  p90Ms: 2,
  p99Ms,
  maxMs: 9,
  errors: { connect: 0, read: 0, write: 0, status: 0, timeout: 0 },
});

function server(id: ServerId, one: number, batch: number, p99Ms = 5): ServerResult {
  const cells: Partial<Record<CellId, CellResult>> = { 'one-c1': cellOf(one), 'one-c8': cellOf(one), 'one-c32': cellOf(one, 1, p99Ms), 'batch-c8': cellOf(batch, 100) };
  return { id, title: id, cells, notAvailable: {}, ...(id.startsWith('modelyard') || id === 'flask' ? { rssIdleMb: 100, coldStartMs: 500 } : {}) };
}

const results = (servers: ServerResult[]): Results => ({
  date: '2026-11-26T00:00:00Z',
  smoke: false,
  secondsPerCell: 10,
  wrkThreads: 1,
  warmupSeconds: 2,
  machine: { cpus: 2, loadBefore: '0.5', loadAfter: '0.5' },
  dataset: { classes: ['a'] },
  servers,
});

describe('the PROCESSES=2 row', () => {
  const run = results([server('flask', 100, 100), server('modelyard', 1000, 200, 12), server('modelyard-2p', 1900, 600, 7), server('node-json', 5000, 500)]);

  it('has its own targets, measured from its cells', () => {
    const byName = new Map(targets(run).map((t) => [t.target, t]));
    expect(byName.get('PROCESSES=2, 100 records, c=8, JSON: ≥ 1× bare node:http + JSON.parse records/s')).toEqual({ target: expect.any(String), measured: '1.20×', pass: true });
    expect(byName.get('PROCESSES=2, 100 records, c=8, JSON: ≥ 5× gunicorn×2 records/s')?.pass).toBe(true);
    expect(byName.get('PROCESSES=2, 1 record, c=32: ≥ 18× gunicorn×2')).toMatchObject({ measured: '19.0×', pass: true });
    expect(byName.get('PROCESSES=2, 1 record, c=32: p99 ≤ 8 ms')).toMatchObject({ measured: '7.0 ms', pass: true });
    // The single-process row's targets are unchanged by the new row.
    expect(byName.get('100 records, c=8, JSON: modelyard ≥ 1× bare node:http + JSON.parse records/s')).toMatchObject({ measured: '0.40×', pass: false });
    expect(byName.get('1 record, c=32: modelyard p99 ≤ 8 ms')).toMatchObject({ measured: '12.0 ms', pass: false });
  });

  it('adds its ratio columns next to the single-process ones', () => {
    const md = markdown(run);
    expect(md).toContain('| cell | modelyard ÷ gunicorn×2 | modelyard ÷ node:http + JSON | modelyard ÷ node:http constant | modelyard PROCESSES=2 ÷ gunicorn×2 |');
    expect(md).toContain('| 100 records, c=8 | 2.00× | 40 % | – | 6.00× | 120 % | – |');
  });

  it('leaves the report as it was when the row is not measured', () => {
    const single = results([server('flask', 100, 100), server('modelyard', 1000, 200), server('node-json', 5000, 500)]);
    expect(targets(single).some((t) => t.target.startsWith('PROCESSES=2'))).toBe(false);
    expect(markdown(single)).toContain('| cell | modelyard ÷ gunicorn×2 | modelyard ÷ node:http + JSON | modelyard ÷ node:http constant |\n');
  });
});
