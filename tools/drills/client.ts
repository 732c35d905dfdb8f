/** What every drill uses: one HTTP exchange with its outcome classified, and an app's RSS. */
import { readFile, writeFile } from 'node:fs/promises';
import type { Agent} from 'node:http';
import { request } from 'node:http';

export interface Outcome {
  status?: number;
  body?: string;
  connection?: string;
  retryAfter?: string;
  /** Transport failure: ECONNRESET, ECONNREFUSED, aborted (cut off mid-answer), timeout... */
  error?: string;
  /** Sent on a kept-alive connection rather than a fresh one. */
  reused?: boolean;
  ms: number;
}

export function send(url: string, options: { agent?: Agent; method?: string; body?: string; holdMs?: number; timeoutMs?: number } = {}): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: Omit<Outcome, 'ms'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...o, ms: performance.now() - started });
    };
    const req = request(
      url,
      { method: options.method ?? (options.body === undefined ? 'GET' : 'POST'), agent: options.agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        if (options.holdMs) {
          res.pause();
          setTimeout(() => res.resume(), options.holdMs);
        }
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done({ status: res.statusCode, connection: res.headers.connection, retryAfter: res.headers['retry-after'], body: Buffer.concat(chunks).toString(), reused: req.reusedSocket }));
        res.on('aborted', () => done({ status: res.statusCode, error: 'aborted', reused: req.reusedSocket }));
        res.on('error', (err: NodeJS.ErrnoException) => done({ status: res.statusCode, error: err.code ?? err.message, reused: req.reusedSocket }));
      },
    );
    req.setTimeout(options.timeoutMs ?? 30_000, () => {
      done({ error: 'timeout', reused: req.reusedSocket });
      req.destroy();
    });
    req.on('error', (err: NodeJS.ErrnoException) => done({ error: err.code ?? err.message, reused: req.reusedSocket }));
    req.end(options.body);
  });
}

export async function rssMiB(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
  return m ? Number(m[1]) / 1024 : 0;
}

/** Resets the kernel's peak-RSS mark (VmHWM) of a process. */
export const resetPeak = (pid: number) => writeFile(`/proc/${pid}/clear_refs`, '5').catch(() => undefined);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function countBy<T>(items: readonly T[], key: (t: T) => string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    if (k !== undefined) out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}
