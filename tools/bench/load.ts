/** Runs autocannon in its own process so the load generator does not share the server's event loop. */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

export interface LoadResult {
  requestsPerSecond: number;
  p50ms: number;
  p99ms: number;
  errors: number;
  non2xx: number;
}

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  body?: string;
  connections: number;
  seconds: number;
}

export function load(options: LoadOptions): Promise<LoadResult> {
  const args = [autocannonBin, '--json', '-c', String(options.connections), '-d', String(options.seconds), '-m', options.method ?? 'GET'];
  if (options.body !== undefined) args.push('-H', 'content-type=application/json', '-b', options.body);
  args.push(options.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}`));
      const r = JSON.parse(out);
      resolve({
        requestsPerSecond: r.requests.average,
        p50ms: r.latency.p50,
        p99ms: r.latency.p99,
        errors: r.errors,
        non2xx: r.non2xx,
      });
    });
  });
}
