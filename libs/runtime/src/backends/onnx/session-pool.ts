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

/**
 * Worker threads that each own an InferenceSession of the same model. A run goes to the
 * worker with the fewest runs in flight. A worker that dies fails only its own runs and
 * is replaced.
 */
export class SessionPool {
  private readonly workers: PoolWorker[] = [];
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly init: WorkerInit,
    readonly signature: Signature,
  ) {}

  static async open(modelPath: string, options: { workers?: number; intraOpThreads: number }): Promise<SessionPool> {
    const init: WorkerInit = { modelPath, intraOpThreads: options.intraOpThreads };
    const size = options.workers ?? availableParallelism();
    const started = await Promise.allSettled(Array.from({ length: size }, () => startWorker(init)));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.worker.terminate() : undefined)));
      throw (failed as PromiseRejectedResult).reason;
    }
    const ready = started.map((s) => (s as PromiseFulfilledResult<{ worker: Worker; signature: Signature }>).value);
    const pool = new SessionPool(init, ready[0]!.signature);
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

  run(inputs: NamedTensors, outputs?: readonly string[]): Promise<NamedTensors> {
    if (this.closed) return Promise.reject(new ServingError('UNAVAILABLE', 'the model version is unloading'));
    const target = this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    return new Promise<NamedTensors>((resolve, reject) => {
      target.pending.set(id, { resolve, reject });
      const request: WorkerRequest = outputs ? { id, inputs, outputs } : { id, inputs };
      target.worker.postMessage(request, transferListOf(inputs));
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
    worker.on('exit', () => this.replace(entry));
    worker.on('error', () => undefined); // 'exit' follows and handles it
  }

  private replace(entry: PoolWorker): void {
    const index = this.workers.indexOf(entry);
    if (index >= 0) this.workers.splice(index, 1);
    for (const p of entry.pending.values()) p.reject(new ServingError('INTERNAL', 'the inference worker stopped unexpectedly'));
    entry.pending.clear();
    if (this.closed) return;
    startWorker(this.init).then(
      ({ worker }) => (this.closed ? void worker.terminate() : this.adopt(worker)),
      () => undefined,
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
