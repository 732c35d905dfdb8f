import type { Logger } from 'pino';
import { Overloaded } from '../errors.js';
import type { Residency, ResidencyState, ServedModel } from '../inference/served-model.js';
import type { YardMetrics } from './yard-metrics.js';

/** How a yard decides what stays loaded (yard/yard-env.ts reads it from the environment). */
export interface YardPolicy {
  /** MAX_LOADED_MODELS: at most this many models loaded at once; 0 = no bound. */
  maxLoaded: number;
  /** MODEL_MEMORY_BUDGET_MB: the process's RSS above which idle models are unloaded; 0 = no bound. */
  memoryBudgetMb: number;
  /** MODEL_LOAD_TIMEOUT_MS: how long a request waits for its model to load before a 503. */
  loadTimeoutMs: number;
  /** The Retry-After of that 503, and how long a failed load is remembered before it is tried again. */
  retryAfterSeconds: number;
  /**
   * MODEL_LOADS_AT_ONCE: loads run at most this many at a time (default 1), so session
   * creation never holds every inference thread while the loaded models wait behind it.
   */
  loadsAtOnce?: number;
}

/**
 * 503 + Retry-After (an Overloaded, so every protocol answers it with the header) when a
 * model's load takes longer than the wait allows or failed: the caller should come back.
 */
export class ModelNotLoaded extends Overloaded {
  constructor(model: string, message: string, retryAfterSeconds: number) {
    super(model, 'not loaded', retryAfterSeconds);
    this.message = message;
    this.name = 'ModelNotLoaded';
  }
}

interface Entry {
  readonly model: ServedModel;
  state: ResidencyState;
  /** Requests holding the model (waiting for its load or running): never unloaded while > 0. */
  inFlight: number;
  /** A logical clock, bumped on every request: the least recently used is the smallest. */
  lastUsed: number;
  /** The load or unload in progress. */
  transition?: Promise<void>;
  /** RSS the process grew by while this model loaded alone, in MB (undefined if loads overlapped). */
  footprintMb?: number;
  error?: string;
  failedAt?: number;
}

export interface ModelCacheEntryStatus {
  name: string;
  state: ResidencyState;
  inFlight: number;
  footprintMb?: number;
  error?: string;
}

const MB = 1024 * 1024;

/**
 * The yard's models, loaded on demand and unloaded by policy (the role of ModelMesh's
 * per-pod cache and Triton's explicit model control): a request for a model that is not
 * loaded starts its load and waits for it (bounded); when MAX_LOADED_MODELS or the memory
 * budget is exceeded, the least recently used model with no request in flight is unloaded.
 * Loading and unloading reuse the model's repository as it is (start / stop), so a model in
 * a yard keeps its versions, labels, warm-up and hot swap.
 */
export class ModelCache {
  private readonly entries = new Map<string, Entry>();
  private clock = 0;
  private loadsRunning = 0;
  private slotsTaken = 0;
  private readonly slotWaiters: (() => void)[] = [];
  /** Set when a bound could not be met because every candidate was busy: retried on release. */
  private overBound = false;
  private closed = false;
  private readonly counted = new WeakSet<object>();
  private roomCheck: NodeJS.Immediate | undefined;

  constructor(
    models: readonly ServedModel[],
    private readonly policy: YardPolicy,
    private readonly metrics: YardMetrics,
    private readonly logger: Logger,
    /** The process's resident set in bytes; measured, never estimated. */
    private readonly rss: () => number = () => process.memoryUsage.rss(),
  ) {
    for (const model of models) this.entries.set(model.name, { model, state: 'unloaded', inFlight: 0, lastUsed: 0 });
    this.metrics.loaded.set(0);
  }

  /** What DataPlane.use() calls through ServedModel.residency. */
  residency(name: string): Residency {
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`model "${name}" is not in this yard`);
    return {
      hold: (fn, request) => this.hold(entry, fn, request),
      state: () => entry.state,
      error: () => entry.error,
    };
  }

  /** Loads models ahead of their first request (PRELOAD); a failure is logged, not fatal. */
  async preload(names: readonly string[]): Promise<void> {
    await Promise.all(
      names.map(async (name) => {
        const entry = this.entries.get(name);
        if (!entry) return;
        entry.lastUsed = ++this.clock;
        await this.load(entry);
      }),
    );
  }

  status(): ModelCacheEntryStatus[] {
    return [...this.entries.values()].map((e) => ({
      name: e.model.name,
      state: e.state,
      inFlight: e.inFlight,
      ...(e.footprintMb !== undefined && { footprintMb: Math.round(e.footprintMb * 10) / 10 }),
      ...(e.error !== undefined && { error: e.error }),
    }));
  }

  private async hold<T>(entry: Entry, fn: () => Promise<T>, request?: object): Promise<T> {
    // Counted before any await: from here on no eviction can take this model away.
    entry.inFlight++;
    entry.lastUsed = ++this.clock;
    try {
      const loaded = entry.state === 'loaded';
      // A request may hold its model twice (TF Serving's predict resolves, then infers): once is counted.
      if (!request || !this.counted.has(request)) {
        this.metrics.requests.inc({ result: loaded ? 'hit' : 'miss' });
        if (request) this.counted.add(request);
      }
      if (!loaded) await this.waitLoaded(entry);
      return await fn();
    } finally {
      entry.inFlight--;
      if (entry.inFlight === 0 && this.overBound) this.makeRoomSoon();
    }
  }

  private async waitLoaded(entry: Entry): Promise<void> {
    const deadline = performance.now() + this.policy.loadTimeoutMs;
    while (entry.state !== 'loaded') {
      if (this.closed) throw new ModelNotLoaded(entry.model.name, `model "${entry.model.name}" cannot load: the server is shutting down`, this.policy.retryAfterSeconds);
      if (entry.state === 'failed' && !entry.transition && performance.now() - (entry.failedAt ?? 0) < this.policy.retryAfterSeconds * 1000) {
        throw this.failedError(entry);
      }
      const transition = entry.transition ?? this.load(entry);
      const left = deadline - performance.now();
      if (!(await settlesWithin(transition, left))) {
        this.metrics.loadTimeouts.inc();
        const s = this.policy.loadTimeoutMs / 1000;
        throw new ModelNotLoaded(entry.model.name, `model "${entry.model.name}" is still loading after ${s} s (MODEL_LOAD_TIMEOUT_MS); retry after ${this.policy.retryAfterSeconds} s`, this.policy.retryAfterSeconds);
      }
      if (entry.state === 'failed') throw this.failedError(entry);
    }
  }

  private failedError(entry: Entry): ModelNotLoaded {
    return new ModelNotLoaded(
      entry.model.name,
      `model "${entry.model.name}" failed to load (${entry.error ?? 'no version could be loaded'}); retry after ${this.policy.retryAfterSeconds} s`,
      this.policy.retryAfterSeconds,
    );
  }

  /** Starts (or joins) the model's load; after an unload in progress, once it has finished. */
  private load(entry: Entry): Promise<void> {
    if (entry.transition) return entry.transition.then(() => (entry.state === 'loaded' ? undefined : this.load(entry)));
    if (entry.state === 'loaded') return Promise.resolve();
    const transition = this.loadNow(entry).finally(() => {
      if (entry.transition === transition) entry.transition = undefined;
    });
    entry.transition = transition;
    return transition;
  }

  private async loadNow(entry: Entry): Promise<void> {
    const { model } = entry;
    entry.state = 'loading';
    entry.error = undefined;
    // Room first, so the bound holds while the new model loads, not only afterwards.
    this.makeRoom(entry);
    const releaseSlot = await this.loadSlot();
    const started = performance.now(); // the load itself, not its turn in the queue
    const alone = ++this.loadsRunning === 1;
    const rssBefore = this.rss();
    let error: string | undefined;
    try {
      await model.repository.start();
      if (!model.repository.isReady()) error = model.repository.status().find((v) => v.error)?.error ?? 'no version of the model could be loaded';
    } catch (err) {
      error = (err as Error).message;
    }
    const measurable = alone && this.loadsRunning === 1;
    this.loadsRunning--;
    releaseSlot();
    const seconds = (performance.now() - started) / 1000;
    if (this.closed && error === undefined) {
      // Loaded while the server shut down: not a failure, just not wanted any more.
      await model.repository.stop().catch(() => undefined);
      entry.state = 'unloaded';
      return;
    }
    if (error !== undefined) {
      await model.repository.stop().catch(() => undefined);
      entry.state = 'failed';
      entry.error = error;
      entry.failedAt = performance.now();
      this.metrics.loads.inc({ result: 'failure' });
      this.logger.error({ model: model.name, error }, 'yard: model failed to load');
      return;
    }
    entry.state = 'loaded';
    entry.footprintMb = measurable ? Math.max(0, (this.rss() - rssBefore) / MB) : entry.footprintMb;
    this.metrics.loads.inc({ result: 'success' });
    this.metrics.loadSeconds.observe(seconds);
    this.metrics.loaded.inc();
    this.logger.info({ model: model.name, seconds: Number(seconds.toFixed(3)), footprintMb: entry.footprintMb }, 'yard: model loaded');
    // Now the memory is real: measure again.
    this.makeRoom(entry);
  }

  /** Waits for a load slot (MODEL_LOADS_AT_ONCE); the returned function gives it back. */
  private async loadSlot(): Promise<() => void> {
    const limit = Math.max(1, this.policy.loadsAtOnce ?? 1);
    if (this.slotsTaken >= limit) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    else this.slotsTaken++;
    return () => {
      const next = this.slotWaiters.shift();
      if (next) next();
      else this.slotsTaken--;
    };
  }

  /**
   * Unloads least recently used idle models until the bounds hold: the count (loading ones
   * included, so a burst of misses cannot overshoot it) and the process's RSS. A model with
   * a request in flight, or the one being loaded, is never a candidate; when no candidate is
   * left the bound is exceeded for now and met again as requests finish.
   */
  private makeRoom(keep: Entry | undefined): void {
    const idle = [...this.entries.values()].filter((e) => e !== keep && e.state === 'loaded' && e.inFlight === 0).sort((a, b) => a.lastUsed - b.lastUsed);
    let over = false;
    if (this.policy.maxLoaded > 0) {
      let resident = 0;
      for (const e of this.entries.values()) if (e.state === 'loaded' || e.state === 'loading') resident++;
      while (resident > this.policy.maxLoaded) {
        const victim = idle.shift();
        if (!victim) {
          over = true;
          break;
        }
        this.unload(victim, 'max_loaded_models');
        resident--;
      }
    }
    if (this.policy.memoryBudgetMb > 0) {
      // RSS lags an unload (the allocator keeps freed pages a while), so each unload is
      // credited with what the model was measured to cost when it loaded. The most recently
      // used model stays whatever the budget says: a budget below one model must not thrash.
      let projected = this.rss() / MB;
      const typical = this.typicalFootprintMb();
      const newest = idle.reduce<Entry | undefined>((n, e) => (!n || e.lastUsed > n.lastUsed ? e : n), undefined);
      if (!keep && newest) idle.splice(idle.indexOf(newest), 1);
      while (projected > this.policy.memoryBudgetMb) {
        const victim = idle.shift();
        if (!victim) {
          over = true;
          break;
        }
        this.unload(victim, 'memory_budget');
        projected -= victim.footprintMb ?? typical;
      }
    }
    this.overBound = over;
  }

  /**
   * After the current callbacks: a request that holds its model twice (resolve, then infer)
   * holds it again within the same turn, so it is not unloaded in between.
   */
  private makeRoomSoon(): void {
    if (this.roomCheck) return;
    this.roomCheck = setImmediate(() => {
      this.roomCheck = undefined;
      if (this.overBound && !this.closed) this.makeRoom(undefined);
    });
  }

  private typicalFootprintMb(): number {
    const known = [...this.entries.values()].map((e) => e.footprintMb).filter((f): f is number => f !== undefined && f > 0);
    // Nothing measured yet: one model per check, then measure again.
    if (known.length === 0) return Number.POSITIVE_INFINITY;
    return known.reduce((a, b) => a + b, 0) / known.length;
  }

  private unload(entry: Entry, reason: string): void {
    entry.state = 'unloading';
    this.metrics.loaded.dec();
    const transition = entry.model.repository
      .stop()
      .catch((err: Error) => this.logger.error({ model: entry.model.name, error: err.message }, 'yard: unload failed'))
      .then(() => {
        entry.state = 'unloaded';
        this.metrics.unloads.inc({ reason });
        this.logger.info({ model: entry.model.name, reason }, 'yard: model unloaded');
      })
      .finally(() => {
        if (entry.transition === transition) entry.transition = undefined;
      });
    entry.transition = transition;
  }

  /** Stops every repository (after the server has drained its requests). */
  async close(): Promise<void> {
    this.closed = true;
    clearImmediate(this.roomCheck);
    await Promise.all(
      [...this.entries.values()].map(async (e) => {
        await e.transition?.catch(() => undefined);
        await e.model.repository.stop();
        if (e.state === 'loaded') this.metrics.loaded.dec();
        e.state = 'unloaded';
      }),
    );
  }
}

/** True if `promise` settles within `ms`; the promise itself keeps running either way. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  if (ms <= 0) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
