/**
 * The servers under test as child processes: each in its own process group so that one
 * kill reaches gunicorn's workers too, all of them killed when the harness exits, on
 * Ctrl-C and on errors.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';

const running = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Load generators and other helpers: plain children, killed with the servers. */
const helpers = new Set<ChildProcess>();

/** Kill every server and helper still running; safe to call from exit handlers (synchronous). */
export function killAll(): void {
  for (const child of running) killGroup(child, 'SIGKILL');
  running.clear();
  for (const child of helpers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  helpers.clear();
}

/** Have `child` killed if the harness stops before it ends (Ctrl-C during a wrk cell). */
export function trackHelper(child: ChildProcess): void {
  installHandlers();
  helpers.add(child);
  child.once('exit', () => helpers.delete(child));
}

let handlersInstalled = false;
function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      killAll();
      process.stderr.write(`\nvs-flask: ${signal}, servers stopped\n`);
      process.exit(130);
    });
  }
}

export interface Spawned {
  child: ChildProcess;
  pid: number;
  /** Where its stdout and stderr go (read it when the server misbehaves). */
  logFile: string;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
}

export function spawnServer(command: string, args: string[], env: NodeJS.ProcessEnv, logFile: string, cwd?: string): Spawned {
  installHandlers();
  // A file, not a pipe: a pipe nobody reads would block a server that logs every request.
  const log = openSync(logFile, 'w');
  const child = spawn(command, args, { env, cwd, stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => running.delete(child));
  return { child, pid: child.pid, logFile, exited };
}

/** SIGTERM the server's process group, SIGKILL after `graceMs`. */
export async function stopServer(server: Spawned, graceMs = 5000): Promise<void> {
  killGroup(server.child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(server.child, 'SIGKILL'), graceMs);
  await server.exited;
  clearTimeout(timer);
  // gunicorn's workers may outlive the master by a moment; the group kill gets them.
  try {
    process.kill(-server.pid, 'SIGKILL');
  } catch {
    // The group is empty.
  }
}

/** A port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Milliseconds from `startedAt` until GET `url` answers 200, polling every 5 ms.
 * Fails when the process dies first or `timeoutMs` passes.
 */
export async function waitReady(url: string, server: Spawned, startedAt: number, timeoutMs = 60_000): Promise<number> {
  let dead = false;
  void server.exited.then(() => (dead = true));
  while (performance.now() - startedAt < timeoutMs) {
    if (dead) throw new Error(`the server exited before ${url} was ready; see ${server.logFile}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - startedAt;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms; see ${server.logFile}`);
}

async function parentOf(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: read after the last ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** The process and all its descendants (gunicorn's master and workers; node and anything it forked). */
export async function processTree(root: number): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((n) => /^\d+$/.test(n)).map(Number);
  const parents = new Map<number, number | undefined>(await Promise.all(pids.map(async (p) => [p, await parentOf(p)] as const)));
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, parent] of parents) if (parent === tree[i]) tree.push(pid);
  }
  return tree;
}

export interface TreeMemory {
  /** Sum of VmRSS, MB (10^6 bytes): what the targets are stated in. */
  rssMb: number;
  /**
   * Sum of Pss, MB: a page shared by several processes is counted once in total; RSS
   * counts it in each (gunicorn's forked workers share pages with their master).
   */
  pssMb: number;
  processes: number;
}

async function kbField(file: string, field: string): Promise<number> {
  try {
    const text = await readFile(file, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // Exited meanwhile, or no smaps_rollup on this kernel.
  }
}

export async function treeMemory(root: number): Promise<TreeMemory> {
  const tree = await processTree(root);
  let rss = 0;
  let pss = 0;
  for (const pid of tree) {
    rss += await kbField(`/proc/${pid}/status`, 'VmRSS');
    pss += await kbField(`/proc/${pid}/smaps_rollup`, 'Pss');
  }
  return { rssMb: (rss * 1024) / 1e6, pssMb: (pss * 1024) / 1e6, processes: tree.length };
}
