import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ServingError } from '../../errors.js';
import type { NamedTensors, Signature } from '../../tensor/tensor.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './messages.js';
import { transferListOf } from './transfer.js';

interface Pending {
  resolve: (outputs: NamedTensors) => void;
  reject: (err: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, Pending>;
}

// Built, the worker is session-worker.js beside this file. Run from source (tsx, vitest),
// it is TypeScript, and on Node 20 a worker thread gets neither the parent's loader hooks
// nor `--import` through execArgv, so a two-line bootstrap registers tsx first.
const here = import.meta.url;
const workerUrl = new URL(`./session-worker${extname(fileURLToPath(here))}`, here);
const fromSource = workerUrl.pathname.endsWith('.ts');

function spawnWorker(init: WorkerInit): Worker {
  if (!fromSource) return new Worker(workerUrl, { workerData: init });
  // Resolved from here, not from the eval's working directory; the ESM entry, not the CJS one.
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(workerUrl.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: init });
}

/** What the pool reports about its threads: a log line and a metric each. */
export type WorkerEvent =
  | { kind: 'exited'; code: number; alive: number }
  | { kind: 'replaced'; alive: number }
  | { kind: 'replace-failed'; error: string; alive: number; retryInMs: number };

export interface SessionPoolOptions {
  workers?: number;
  intraOpThreads: number;
  onWorkerEvent?: (event: WorkerEvent) => void;
}

const RETRY_FIRST_MS = 200;
const RETRY_MAX_MS = 10_000;

/**
 * Worker threads that each own an InferenceSession of the same model. A run goes to the
 * worker with the fewest runs in flight. A worker that dies fails only its own runs (503,
 * retryable) and is replaced; while no worker is alive the pool is not ready, says why,
 * answers 503 and keeps trying to start one, with backoff. Nothing here may throw out of
 * an event handler: a dying thread must never take the process with it.
 */
export class SessionPool {
  private readonly workers: PoolWorker[] = [];
  private nextId = 1;
  private closed = false;
  /** Replacements being started (or waiting to retry). */
  private starting = 0;
  private lastFailure: string | undefined;

  private constructor(
    private readonly init: WorkerInit,
    readonly signature: Signature,
    private readonly target: number,
    private readonly onWorkerEvent: (event: WorkerEvent) => void,
  ) {}

  static async open(modelPath: string, options: SessionPoolOptions): Promise<SessionPool> {
    const init: WorkerInit = { modelPath, intraOpThreads: options.intraOpThreads };
    const size = options.workers ?? availableParallelism();
    const started = await Promise.allSettled(Array.from({ length: size }, () => startWorker(init)));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.worker.terminate() : undefined)));
      throw (failed as PromiseRejectedResult).reason;
    }
    const ready = started.map((s) => (s as PromiseFulfilledResult<{ worker: Worker; signature: Signature }>).value);
    const pool = new SessionPool(init, ready[0]!.signature, size, options.onWorkerEvent ?? (() => undefined));
    for (const { worker } of ready) pool.adopt(worker);
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  /** Workers with a run in flight, and the runs in flight, for the status page. */
  occupancy(): { size: number; busy: number; inFlight: number } {
    let busy = 0;
    let inFlight = 0;
    for (const w of this.workers) {
      if (w.pending.size > 0) busy++;
      inFlight += w.pending.size;
    }
    return { size: this.workers.length, busy, inFlight };
  }

  /** The live threads, for drills and tests that kill them. */
  threads(): Worker[] {
    return this.workers.map((w) => w.worker);
  }

  /** Ready while at least one worker is alive. */
  ready(): boolean {
    return this.workers.length > 0;
  }

  /** Why the pool cannot serve, or undefined while it can. */
  unavailableReason(): string | undefined {
    if (this.workers.length > 0) return undefined;
    return `no inference worker is running${this.lastFailure ? ` (restarting one failed: ${this.lastFailure})` : ' (restarting)'}`;
  }

  run(inputs: NamedTensors, outputs?: readonly string[]): Promise<NamedTensors> {
    if (this.closed) return Promise.reject(new ServingError('UNAVAILABLE', 'the model version is unloading'));
    if (this.workers.length === 0) return Promise.reject(new ServingError('UNAVAILABLE', `the model version cannot run now: ${this.unavailableReason()}; retry later`));
    const target = this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    return new Promise<NamedTensors>((resolve, reject) => {
      target.pending.set(id, { resolve, reject });
      const request: WorkerRequest = outputs ? { id, inputs, outputs } : { id, inputs };
      try {
        target.worker.postMessage(request, transferListOf(inputs));
      } catch (err) {
        target.pending.delete(id);
        reject(new ServingError('UNAVAILABLE', `the inference worker could not take the request: ${(err as Error).message}`));
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            w.worker.once('exit', () => resolve());
            w.worker.postMessage('close');
            // A worker stuck in native code gets no second chance.
            setTimeout(() => void w.worker.terminate(), 5_000).unref();
          }),
      ),
    );
  }

  private adopt(worker: Worker): void {
    const entry: PoolWorker = { worker, pending: new Map() };
    this.workers.push(entry);
    worker.on('message', (msg: WorkerReply) => {
      if (msg.kind !== 'result' && msg.kind !== 'failed') return;
      const p = entry.pending.get(msg.id);
      if (!p) return;
      entry.pending.delete(msg.id);
      if (msg.kind === 'result') p.resolve(msg.outputs);
      else p.reject(new ServingError('INVALID_ARGUMENT', `the model refused the input: ${msg.error}`));
    });
    worker.on('exit', (code: number) => this.onExit(entry, code));
    worker.on('error', () => undefined); // 'exit' follows and handles it
  }

  private onExit(entry: PoolWorker, code: number): void {
    const index = this.workers.indexOf(entry);
    if (index >= 0) this.workers.splice(index, 1);
    for (const p of entry.pending.values()) p.reject(new ServingError('UNAVAILABLE', 'the inference worker stopped unexpectedly; retry the request'));
    entry.pending.clear();
    if (this.closed) return;
    this.onWorkerEvent({ kind: 'exited', code, alive: this.workers.length });
    this.replace(RETRY_FIRST_MS);
  }

  /** Starts one worker to take a dead one's place; on failure, tries again later. */
  private replace(nextDelayMs: number): void {
    this.starting++;
    startWorker(this.init).then(
      ({ worker }) => {
        this.starting--;
        if (this.closed) return void worker.terminate();
        this.lastFailure = undefined;
        this.adopt(worker);
        this.onWorkerEvent({ kind: 'replaced', alive: this.workers.length });
      },
      (err: unknown) => {
        this.lastFailure = (err as Error)?.message ?? String(err);
        if (this.closed) {
          this.starting--;
          return;
        }
        this.onWorkerEvent({ kind: 'replace-failed', error: this.lastFailure, alive: this.workers.length, retryInMs: nextDelayMs });
        const timer = setTimeout(() => {
          this.starting--;
          if (!this.closed && this.workers.length + this.starting < this.target) this.replace(Math.min(nextDelayMs * 2, RETRY_MAX_MS));
        }, nextDelayMs);
        timer.unref();
      },
    );
  }
}

function startWorker(init: WorkerInit): Promise<{ worker: Worker; signature: Signature }> {
  return new Promise((resolve, reject) => {
    const worker = spawnWorker(init);
    const onExit = (code: number) => reject(new Error(`inference worker exited with code ${code} while loading`));
    worker.once('error', reject);
    worker.once('exit', onExit);
    worker.once('message', (msg: WorkerReply) => {
      worker.off('exit', onExit);
      worker.off('error', reject);
      if (msg.kind === 'ready') resolve({ worker, signature: msg.signature });
      else {
        void worker.terminate();
        reject(new Error(msg.kind === 'load-failed' ? msg.error : `unexpected first message ${msg.kind}`));
      }
    });
  });
}
