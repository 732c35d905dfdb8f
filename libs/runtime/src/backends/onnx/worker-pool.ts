import type { Worker } from 'node:worker_threads';
import { ServingError } from '../../errors.js';
import type { NamedTensors, Signature } from '../../tensor/tensor.js';
import type { WorkerReply, WorkerRequest } from './messages.js';
import { Kind, pack, unpack } from './packed-tensors.js';
import { transferListOf } from './transfer.js';
import { siblingModule, spawnWorker as spawnModuleWorker } from '../../threads/spawn-worker.js';

// session-worker.js beside this file when built; session-worker.ts from source (tsx, vitest).
const workerUrl = siblingModule('session-worker', import.meta.url);
const spawnWorker = (): Worker => spawnModuleWorker(workerUrl);

/** What the pool reports to one model version about the threads that run it: a log line and a metric each. */
export type WorkerEvent =
  | { kind: 'exited'; code: number; alive: number }
  | { kind: 'replaced'; alive: number }
  | { kind: 'replace-failed'; error: string; alive: number; retryInMs: number };

export interface HostOptions {
  modelPath: string;
  intraOpThreads: number;
  /** How many of the pool's workers hold a session of this version (capped at the pool's size). */
  hosts: number;
  onWorkerEvent?: (event: WorkerEvent) => void;
}

/**
 * Runs sent to one worker and not answered yet. Two, not one: the worker finds its next run
 * already waiting instead of idling through a round trip, and a newly busy model still
 * waits behind at most two runs of another per worker.
 */
export const DEPTH = 2;
const RETRY_FIRST_MS = 200;
const RETRY_MAX_MS = 10_000;
/** A worker that lived this long is restarted at once; one that keeps dying, with backoff. */
const HEALTHY_MS = 30_000;
const CLOSE_GRACE_MS = 5_000;

interface Run {
  id: number;
  version: HostedVersion;
  inputs: NamedTensors;
  outputs?: readonly string[];
  resolve: (outputs: NamedTensors) => void;
  reject: (err: Error) => void;
}

interface Slot {
  readonly index: number;
  worker?: Worker;
  /** The thread said it is up and takes requests. */
  up: boolean;
  startedAt: number;
  /** Consecutive short-lived workers in this slot: the restart backoff's exponent. */
  failures: number;
  restartTimer?: NodeJS.Timeout;
  inFlight: Map<number, Run>;
  sessionQueries: ((keys: number[]) => void)[];
}

/** The state of one version's session in one worker. */
type SessionState = 'pending' | 'loading' | 'ready' | 'failed';

/**
 * One model version as the pool holds it: its sessions (one per worker it is placed on),
 * its FIFO queue of runs, and what it is told when its workers die. Everything a backend
 * needs: run, readiness with the reason, occupancy, close.
 */
export class HostedVersion {
  signature!: Signature;
  readonly queue: Run[] = [];
  readonly sessions = new Map<number, SessionState>();
  /** Runs sent to a worker and not answered yet. */
  sent = 0;
  closed = false;
  registered = false;
  lastFailure: string | undefined;
  readonly retryDelay = new Map<number, number>();
  readonly retryTimers = new Map<number, NodeJS.Timeout>();
  /** While registering: settles when every placed session loaded, or one failed. */
  loadWaiter?: { left: number; resolve: () => void; reject: (err: Error) => void };
  unloadWaiters = new Map<number, () => void>();

  constructor(
    private readonly pool: WorkerPool,
    readonly key: number,
    readonly options: HostOptions,
    readonly slots: readonly number[],
  ) {
    for (const s of slots) this.sessions.set(s, 'pending');
  }

  run(inputs: NamedTensors, outputs?: readonly string[]): Promise<NamedTensors> {
    return this.pool.enqueue(this, inputs, outputs);
  }

  /** Workers holding a ready session of this version. */
  get size(): number {
    let n = 0;
    for (const s of this.sessions.values()) if (s === 'ready') n++;
    return n;
  }

  ready(): boolean {
    return this.size > 0;
  }

  /** Why the version cannot run, or undefined while it can. */
  unavailableReason(): string | undefined {
    if (this.ready()) return undefined;
    return `no inference worker is running this version${this.lastFailure ? ` (restarting one failed: ${this.lastFailure})` : ' (restarting)'}`;
  }

  /** For the status page: workers holding it, those running it now, its runs in flight or queued. */
  occupancy(): { size: number; busy: number; inFlight: number } {
    return { size: this.size, busy: this.pool.busyWorkersOf(this), inFlight: this.sent + this.queue.length };
  }

  /** The threads holding this version, for drills and tests that kill them. */
  threads(): Worker[] {
    return this.pool.threadsOf(this);
  }

  close(): Promise<void> {
    return this.pool.release(this);
  }

  emit(event: WorkerEvent): void {
    try {
      this.options.onWorkerEvent?.(event);
    } catch {
      // a listener's failure must not reach a worker's event handler
    }
  }
}

/**
 * The process's onnxruntime worker threads, shared by every loaded model version. Each
 * worker holds the sessions of the versions placed on it (a small model on one worker, a
 * large one on all: `hosts`), so a process serving a hundred models holds a few threads,
 * not hundreds. Runs wait in one FIFO queue per version; a worker with room takes the next
 * queue that has work and a session here, in round-robin order, so a flood of one model
 * delays another by at most a few runs.
 *
 * A worker that dies fails only its own runs (503, retryable) and is restarted; the
 * sessions it held are re-created in the new thread. A version that has no session running
 * anywhere is not ready, says why, answers 503, and its session loads are retried with
 * backoff. Nothing here throws out of an event handler: a dying thread must never take the
 * process with it. With no version left the threads stop, so an idle process holds none.
 */
export class WorkerPool {
  private readonly slots: Slot[];
  /** In registration order; `cursor` walks it round-robin. */
  private readonly versions: HostedVersion[] = [];
  private readonly byKey = new Map<number, HostedVersion>();
  private cursor = 0;
  private nextKey = 1;
  private nextRunId = 1;

  /**
   * `handoff`: how a run's tensors travel to the worker and back: `packed`, one transferred
   * buffer each way (packed-tensors.ts); `structured-clone`, the tensor objects as they are,
   * kept so that the hand-off benchmark can compare both in one run.
   */
  constructor(
    readonly size: number,
    private readonly handoff: 'packed' | 'structured-clone' = 'packed',
  ) {
    if (!(Number.isInteger(size) && size > 0)) throw new Error(`a worker pool needs a positive number of workers, not ${size}`);
    this.slots = Array.from({ length: size }, (_, index) => ({ index, up: false, startedAt: 0, failures: 0, inFlight: new Map(), sessionQueries: [] }));
  }

  /** Creates a version's sessions in the workers it is placed on; rejects if any of them cannot load it. */
  async host(options: HostOptions): Promise<HostedVersion> {
    const chosen = this.place(Math.max(1, Math.min(options.hosts, this.size)));
    const version = new HostedVersion(this, this.nextKey++, options, chosen);
    this.versions.push(version);
    this.byKey.set(version.key, version);
    const loaded = new Promise<void>((resolve, reject) => {
      version.loadWaiter = { left: chosen.length, resolve, reject };
    });
    for (const index of chosen) {
      const slot = this.slots[index]!;
      if (!slot.worker && !slot.restartTimer) this.start(slot);
      else if (slot.up) this.load(slot, version);
    }
    try {
      await loaded;
    } catch (err) {
      await this.release(version);
      throw err;
    }
    version.registered = true;
    return version;
  }

  /** Live threads (tests and drills). */
  threads(): Worker[] {
    return this.slots.flatMap((s) => (s.worker ? [s.worker] : []));
  }

  /** The session keys each live worker holds, as the workers themselves report them. */
  async sessionsPerWorker(): Promise<number[][]> {
    return Promise.all(
      this.slots
        .filter((s) => s.worker && s.up)
        .map(
          (slot) =>
            new Promise<number[]>((resolve) => {
              slot.sessionQueries.push(resolve);
              this.post(slot, { kind: 'sessions' });
            }),
        ),
    );
  }

  /** @internal */
  enqueue(version: HostedVersion, inputs: NamedTensors, outputs?: readonly string[]): Promise<NamedTensors> {
    if (version.closed) return Promise.reject(new ServingError('UNAVAILABLE', 'the model version is unloading'));
    if (!version.ready()) return Promise.reject(new ServingError('UNAVAILABLE', `the model version cannot run now: ${version.unavailableReason()}; retry later`));
    return new Promise<NamedTensors>((resolve, reject) => {
      version.queue.push({ id: this.nextRunId++, version, inputs, ...(outputs ? { outputs } : {}), resolve, reject });
      this.pump();
    });
  }

  /** @internal */
  busyWorkersOf(version: HostedVersion): number {
    let busy = 0;
    for (const index of version.slots) {
      for (const run of this.slots[index]!.inFlight.values()) {
        if (run.version === version) {
          busy++;
          break;
        }
      }
    }
    return busy;
  }

  /** @internal */
  threadsOf(version: HostedVersion): Worker[] {
    return version.slots.flatMap((i) => {
      const w = this.slots[i]!.worker;
      return w ? [w] : [];
    });
  }

  /** @internal Unloads a version from every worker holding it; stops the threads when it was the last. */
  async release(version: HostedVersion): Promise<void> {
    if (version.closed) return;
    version.closed = true;
    const at = this.versions.indexOf(version);
    if (at >= 0) {
      this.versions.splice(at, 1);
      if (this.cursor > at) this.cursor--;
      if (this.cursor >= this.versions.length) this.cursor = 0;
    }
    for (const t of version.retryTimers.values()) clearTimeout(t);
    version.retryTimers.clear();
    for (const run of version.queue.splice(0)) run.reject(new ServingError('UNAVAILABLE', 'the model version is unloading'));
    const acks: Promise<void>[] = [];
    for (const index of version.slots) {
      const slot = this.slots[index]!;
      if (!slot.worker || !slot.up) continue;
      acks.push(new Promise<void>((resolve) => version.unloadWaiters.set(index, resolve)));
      this.post(slot, { kind: 'unload', key: version.key });
    }
    await Promise.all(acks);
    this.byKey.delete(version.key);
    if (this.versions.length === 0) await this.stopAll();
  }

  /** Slots for a new version: those holding the fewest sessions, so load spreads over the threads. */
  private place(count: number): number[] {
    const held = this.slots.map((s) => ({ index: s.index, n: this.versions.filter((v) => v.slots.includes(s.index)).length }));
    return held
      .sort((a, b) => a.n - b.n || a.index - b.index)
      .slice(0, count)
      .map((h) => h.index)
      .sort((a, b) => a - b);
  }

  /** Hands queued runs to workers with room: first to idle ones, then up to DEPTH each. */
  private pump(): void {
    for (let depth = 1; depth <= DEPTH; depth++) {
      for (const slot of this.slots) {
        while (slot.up && slot.inFlight.size < depth) {
          const run = this.next(slot);
          if (!run) break;
          this.send(slot, run);
        }
      }
    }
  }

  /** The round-robin choice: the first version after the last one served that has work and a session here. */
  private next(slot: Slot): Run | undefined {
    const n = this.versions.length;
    for (let i = 0; i < n; i++) {
      const at = (this.cursor + i) % n;
      const v = this.versions[at]!;
      if (v.queue.length > 0 && v.sessions.get(slot.index) === 'ready') {
        this.cursor = (at + 1) % n;
        return v.queue.shift();
      }
    }
    return undefined;
  }

  private send(slot: Slot, run: Run): void {
    slot.inFlight.set(run.id, run);
    run.version.sent++;
    try {
      if (this.handoff === 'packed') {
        const buffer = pack(Kind.Run, run.id, run.version.key, run.inputs, run.outputs ? { outputs: run.outputs } : undefined);
        slot.worker!.postMessage(buffer, [buffer]);
      } else {
        const request: WorkerRequest = { kind: 'run', id: run.id, key: run.version.key, inputs: run.inputs, ...(run.outputs ? { outputs: run.outputs } : {}) };
        slot.worker!.postMessage(request, transferListOf(run.inputs));
      }
    } catch (err) {
      slot.inFlight.delete(run.id);
      run.version.sent--;
      run.reject(new ServingError('UNAVAILABLE', `the inference worker could not take the request: ${(err as Error).message}`));
    }
  }

  private post(slot: Slot, message: WorkerRequest): void {
    try {
      slot.worker?.postMessage(message);
    } catch {
      // the thread is going away; its 'exit' handler settles what was waiting on it
    }
  }

  private load(slot: Slot, version: HostedVersion): void {
    version.sessions.set(slot.index, 'loading');
    this.post(slot, { kind: 'load', key: version.key, modelPath: version.options.modelPath, intraOpThreads: version.options.intraOpThreads });
  }

  private hosted(slot: Slot): HostedVersion[] {
    return [...this.byKey.values()].filter((v) => !v.closed && v.slots.includes(slot.index));
  }

  private start(slot: Slot): void {
    slot.restartTimer = undefined;
    let worker: Worker;
    try {
      worker = spawnWorker();
    } catch (err) {
      this.onStartFailure(slot, `could not start an inference worker: ${(err as Error).message}`);
      return;
    }
    slot.worker = worker;
    slot.up = false;
    slot.startedAt = Date.now();
    worker.on('message', (msg: WorkerReply | ArrayBuffer) => {
      if (slot.worker !== worker) return;
      if (msg instanceof ArrayBuffer) this.onPackedReply(slot, msg);
      else this.onMessage(slot, msg);
    });
    worker.on('error', () => undefined); // 'exit' follows and handles it
    worker.on('exit', (code: number) => {
      if (slot.worker === worker) this.onExit(slot, code);
    });
  }

  private onMessage(slot: Slot, msg: WorkerReply): void {
    switch (msg.kind) {
      case 'up':
        slot.up = true;
        for (const v of this.hosted(slot)) if (v.sessions.get(slot.index) !== 'failed') this.load(slot, v);
        return;
      case 'loaded':
        return this.onLoaded(slot, msg.key, msg.signature);
      case 'load-failed':
        return this.onLoadFailed(slot, msg.key, msg.error);
      case 'unloaded':
        this.byKey.get(msg.key)?.unloadWaiters.get(slot.index)?.();
        return;
      case 'sessions':
        slot.sessionQueries.shift()?.(msg.keys);
        return;
      case 'result':
        return this.settle(slot, msg.id, msg.outputs);
      case 'failed':
        return this.settle(slot, msg.id, undefined, msg.error, msg.missing);
    }
  }

  private onPackedReply(slot: Slot, buffer: ArrayBuffer): void {
    let reply;
    try {
      reply = unpack(buffer);
    } catch {
      return; // cannot happen with our own worker; never let it reach the event handler
    }
    if (reply.kind === Kind.Result) this.settle(slot, reply.id, reply.tensors);
    else this.settle(slot, reply.id, undefined, reply.error ?? '', reply.kind === Kind.Missing);
  }

  private settle(slot: Slot, id: number, outputs: NamedTensors | undefined, error?: string, missing?: boolean): void {
    const run = slot.inFlight.get(id);
    if (!run) return;
    slot.inFlight.delete(id);
    run.version.sent--;
    if (outputs) run.resolve(outputs);
    else if (missing) run.reject(new ServingError('UNAVAILABLE', 'the model version is not loaded in its inference worker; retry the request'));
    else run.reject(new ServingError('INVALID_ARGUMENT', `the model refused the input: ${error}`));
    this.pump();
  }

  private onLoaded(slot: Slot, key: number, signature: Signature): void {
    const v = this.byKey.get(key);
    if (!v || v.closed) return;
    v.sessions.set(slot.index, 'ready');
    v.retryDelay.delete(slot.index);
    v.lastFailure = undefined;
    v.signature ??= signature;
    if (v.loadWaiter) {
      if (--v.loadWaiter.left === 0) {
        v.loadWaiter.resolve();
        v.loadWaiter = undefined;
      }
    } else if (v.registered) {
      v.emit({ kind: 'replaced', alive: v.size });
    }
    this.pump();
  }

  private onLoadFailed(slot: Slot, key: number, error: string): void {
    const v = this.byKey.get(key);
    if (!v || v.closed) return;
    v.sessions.set(slot.index, 'failed');
    if (v.loadWaiter) {
      v.loadWaiter.reject(new Error(error));
      v.loadWaiter = undefined;
      return;
    }
    v.lastFailure = error;
    const delay = v.retryDelay.get(slot.index) ?? RETRY_FIRST_MS;
    v.retryDelay.set(slot.index, Math.min(delay * 2, RETRY_MAX_MS));
    v.emit({ kind: 'replace-failed', error, alive: v.size, retryInMs: delay });
    const timer = setTimeout(() => {
      v.retryTimers.delete(slot.index);
      if (v.closed) return;
      v.sessions.set(slot.index, 'pending');
      if (slot.up) this.load(slot, v);
    }, delay);
    timer.unref();
    v.retryTimers.set(slot.index, timer);
  }

  private onExit(slot: Slot, code: number): void {
    const wasUp = slot.up;
    slot.worker = undefined;
    slot.up = false;
    for (const q of slot.sessionQueries.splice(0)) q([]);
    const lost = [...slot.inFlight.values()];
    slot.inFlight.clear();
    for (const run of lost) {
      run.version.sent--;
      run.reject(new ServingError('UNAVAILABLE', 'the inference worker stopped unexpectedly; retry the request'));
    }
    for (const v of [...this.byKey.values()]) v.unloadWaiters.get(slot.index)?.();
    const reason = wasUp ? `inference worker exited with code ${code}` : `inference worker exited with code ${code} while starting`;
    for (const v of this.hosted(slot)) {
      const before = v.sessions.get(slot.index);
      const timer = v.retryTimers.get(slot.index);
      if (timer) clearTimeout(timer);
      v.retryTimers.delete(slot.index);
      v.sessions.set(slot.index, 'pending');
      if (v.loadWaiter) {
        v.loadWaiter.reject(new Error(`${reason} while loading`));
        v.loadWaiter = undefined;
        continue;
      }
      if (before === 'ready') v.emit({ kind: 'exited', code, alive: v.size });
      else if (!v.ready()) v.lastFailure = reason;
      // Runs that were queued for a version no worker can run now would wait for nothing.
      if (!v.ready()) for (const run of v.queue.splice(0)) run.reject(new ServingError('UNAVAILABLE', 'the inference worker stopped unexpectedly; retry the request'));
    }
    if (this.versions.length === 0) return;
    this.scheduleRestart(slot, wasUp ? undefined : reason);
  }

  private onStartFailure(slot: Slot, reason: string): void {
    for (const v of this.hosted(slot)) {
      if (v.loadWaiter) {
        v.loadWaiter.reject(new Error(reason));
        v.loadWaiter = undefined;
      } else v.lastFailure = reason;
    }
    this.scheduleRestart(slot, reason);
  }

  /** `failed`: the worker did not even come up, which the versions waiting on it are told. */
  private scheduleRestart(slot: Slot, failed?: string): void {
    if (Date.now() - slot.startedAt > HEALTHY_MS) slot.failures = 0;
    const delay = slot.failures === 0 ? 0 : Math.min(RETRY_FIRST_MS * 2 ** (slot.failures - 1), RETRY_MAX_MS);
    slot.failures++;
    if (failed) {
      for (const v of this.hosted(slot)) if (!v.ready()) v.emit({ kind: 'replace-failed', error: failed, alive: v.size, retryInMs: delay });
    }
    slot.restartTimer = setTimeout(() => {
      if (this.versions.length > 0) this.start(slot);
      else slot.restartTimer = undefined;
    }, delay);
    slot.restartTimer.unref();
  }

  /** No version left: the threads go, so an idle pool holds none (the next host() starts them again). */
  private async stopAll(): Promise<void> {
    // Versions still waiting for an unload's answer get it now: their sessions go with the threads.
    for (const v of this.byKey.values()) for (const done of v.unloadWaiters.values()) done();
    const stopping: Promise<void>[] = [];
    for (const slot of this.slots) {
      if (slot.restartTimer) clearTimeout(slot.restartTimer);
      slot.restartTimer = undefined;
      slot.failures = 0;
      const worker = slot.worker;
      slot.worker = undefined;
      slot.up = false;
      if (!worker) continue;
      stopping.push(
        new Promise<void>((resolve) => {
          worker.once('exit', () => resolve());
          try {
            worker.postMessage({ kind: 'close' } satisfies WorkerRequest);
          } catch {
            void worker.terminate();
          }
          // A worker stuck in native code gets no second chance.
          setTimeout(() => void worker.terminate(), CLOSE_GRACE_MS).unref();
        }),
      );
    }
    await Promise.all(stopping);
  }
}
