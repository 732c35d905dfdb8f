/**
 * Runs wrk (Debian's `wrk`) against one URL with a fixed POST body read from a file, so
 * binary bodies work as well as JSON ones. Reports requests/s, p50/p99 and failures.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WrkResult {
  requestsPerSecond: number;
  p50ms: number;
  p99ms: number;
  /** Non-2xx/3xx responses plus socket errors and timeouts. */
  failures: number;
}

export interface WrkOptions {
  url: string;
  body: Buffer | string;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
  threads?: number;
}

// The body comes from a file (Lua strings hold any bytes); done() prints one parseable line.
const SCRIPT = `
local f = assert(io.open(os.getenv("WRK_BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
for k, v in string.gmatch(os.getenv("WRK_HEADERS"), "([^\\n:]+): ([^\\n]+)") do wrk.headers[k] = v end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d\\n", summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status + e.connect + e.read + e.write + e.timeout))
end
`;

export async function wrk(options: WrkOptions): Promise<WrkResult> {
  const dir = tmpdir();
  const stamp = `${process.pid}-${Date.now()}`;
  const script = join(dir, `wrk-${stamp}.lua`);
  const bodyFile = join(dir, `wrk-${stamp}.body`);
  await writeFile(script, SCRIPT);
  await writeFile(bodyFile, options.body);
  const headers = Object.entries(options.headers).map(([k, v]) => `${k}: ${v}`).join('\n');
  const args = ['-t', String(options.threads ?? 1), '-c', String(options.connections), '-d', `${options.seconds}s`, '-s', script, options.url];
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('wrk', args, { env: { ...process.env, WRK_BODY_FILE: bodyFile, WRK_HEADERS: headers }, stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}`))));
  });
  const m = out.match(/RESULT (\d+) (\d+) (\d+) (\d+) (\d+)/);
  if (!m) throw new Error(`unexpected wrk output: ${out}`);
  const [requests, micros, p50, p99, failures] = m.slice(1).map(Number) as [number, number, number, number, number];
  return { requestsPerSecond: requests / (micros / 1e6), p50ms: p50 / 1000, p99ms: p99 / 1000, failures };
}
