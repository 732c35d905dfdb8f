/** One benchmark cell: wrk with post.lua against one URL, its JSON summary parsed. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { trackHelper } from './processes.js';

const script = fileURLToPath(new URL('./post.lua', import.meta.url));

export interface Cell {
  url: string;
  /** File holding the request body. */
  bodyFile: string;
  /** File of extra "Name: value" header lines (the binary extension's), optional. */
  headersFile?: string;
  connections: number;
  seconds: number;
  threads: number;
  /** Records per request, to report records/s. */
  records: number;
}

export interface CellResult {
  requestsPerSecond: number;
  recordsPerSecond: number;
  requests: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Socket errors and non-2xx answers; a cell with any is reported as failed. */
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
}

export function runCell(cell: Cell): Promise<CellResult> {
  const args = [
    `-t${Math.min(cell.threads, cell.connections)}`, `-c${cell.connections}`, `-d${cell.seconds}s`,
    '--timeout', '5s', '-s', script, cell.url,
  ];
  const env = { ...process.env, BENCH_BODY: cell.bodyFile, BENCH_HEADERS: cell.headersFile ?? '' };
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    trackHelper(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('WRK_RESULT '));
      if (code !== 0 || !line) return reject(new Error(`wrk exited with ${code}: ${err || out}`));
      const r = JSON.parse(line.slice('WRK_RESULT '.length)) as {
        requests: number; durationUs: number; errors: CellResult['errors'];
        latencyUs: { p50: number; p90: number; p99: number; max: number };
      };
      const rps = r.requests / (r.durationUs / 1e6);
      resolve({
        requestsPerSecond: rps,
        recordsPerSecond: rps * cell.records,
        requests: r.requests,
        p50Ms: r.latencyUs.p50 / 1000,
        p90Ms: r.latencyUs.p90 / 1000,
        p99Ms: r.latencyUs.p99 / 1000,
        maxMs: r.latencyUs.max / 1000,
        errors: r.errors,
      });
    });
  });
}

export async function wrkVersion(): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('wrk', ['-v'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', () => resolve('unknown'));
    child.on('exit', () => resolve(out.split('\n')[0]?.replace(/\s*Copyright.*$/, '').trim() || 'unknown'));
  });
}
