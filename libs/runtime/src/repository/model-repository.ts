import type { Logger } from 'pino';
import type { BackendLoadOptions, Backend } from '../backends/backend.js';
import { artifactOf, type ModelConfig } from '../config/schema.js';
import { maxRowsPerRun } from '../batching/split-rows.js';
import { LabelNotFound, NoVersionAvailable, VersionNotFound } from '../errors.js';
import { isRetryLoad } from '../backends/load-error.js';
import { withTransformer } from '../backends/with-transformer.js';
import { checkConfigAgainstSignature } from './check-signature.js';
import { scanVersions, type VersionOnDisk } from './scan-versions.js';
import { Servable } from './servable.js';
import { selfCheck } from './self-check.js';
import { selectVersions } from './version-policy.js';
import { warmupInputs } from './warmup.js';

/** TF Serving's ManagerState names, which its status API reports. */
export type VersionState = 'START' | 'LOADING' | 'AVAILABLE' | 'UNLOADING' | 'END';

export interface VersionStatus {
  version: number;
  state: VersionState;
  error?: string;
  /** Served, but worth a look: e.g. loaded without references to self-check against. */
  warning?: string;
}

export interface RepositoryEvents {
  loaded(model: string, version: number, seconds: number): void;
  loadFailed(model: string, version: number, error: string): void;
  unloaded(model: string, version: number): void;
  batched?(model: string, version: number, rows: number): void;
  /** A backend's worker thread exited, was replaced, or could not be restarted. */
  workerEvent?(model: string, version: number, kind: string): void;
}

export interface VersionSelector {
  version?: number;
  label?: string;
}

export interface ModelRepositoryOptions {
  modelDir: string;
  config: ModelConfig;
  loadBackend: (options: BackendLoadOptions, config: ModelConfig) => Promise<Backend>;
  logger: Logger;
  events?: RepositoryEvents;
}

interface Failure {
  fingerprint: string;
  error: string;
}

/**
 * The versions of one model on disk, kept in step with the folder: new versions are
 * loaded in the background, warmed up and swapped in; versions that leave the policy are
 * drained and unloaded; a version that fails to load is never served and is retried only
 * when its artifact changes.
 */
export class ModelRepository {
  readonly name: string;
  /** Replaced as a whole when model.json is edited (inference/reload-config.ts). */
  config: ModelConfig;
  /** models/<name>: the console reads each version's reference.json from here. */
  readonly modelDir: string;
  private readonly available = new Map<number, Servable>();
  private readonly states = new Map<number, VersionStatus>();
  private readonly failures = new Map<number, Failure>();
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: ModelRepositoryOptions) {
    this.name = options.config.name;
    this.modelDir = options.modelDir;
    this.config = options.config;
  }

  /** Loads what the policy asks for, then keeps polling. Resolves after the first pass. */
  async start(): Promise<void> {
    // A yard starts a repository again after stop() (load on demand after an unload).
    this.stopped = false;
    await this.sync();
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer); // one poll timer, however often a yard stops and starts this
    this.timer = setTimeout(() => {
      void this.sync().finally(() => this.schedule());
    }, this.config.pollSeconds * 1000);
    this.timer.unref();
  }

  /** One pass over the folder. Concurrent callers share the pass in progress. */
  sync(): Promise<void> {
    this.syncing ??= this.syncOnce().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    let onDisk: VersionOnDisk[];
    try {
      onDisk = await scanVersions(this.options.modelDir, artifactOf(this.config));
    } catch (err) {
      this.options.logger.error({ model: this.name, err }, 'cannot read the model folder');
      return;
    }
    // A version whose folder is gone is forgotten, unless it is still loaded (drained below).
    const present = new Set(onDisk.map((v) => v.version));
    for (const version of this.states.keys()) {
      if (!present.has(version) && !this.available.has(version)) {
        this.states.delete(version);
        this.failures.delete(version);
      }
    }
    const loadable = onDisk.filter((v) => this.failures.get(v.version)?.fingerprint !== v.fingerprint);
    const wanted = new Set(selectVersions(this.config.versionPolicy, loadable.map((v) => v.version)));
    for (const v of loadable) {
      if (wanted.has(v.version) && !this.available.has(v.version) && !this.stopped) await this.load(v);
    }
    // TF Serving's availability-preserving rule: a version leaves only for one that is
    // AVAILABLE now. The policy is applied again to what did load, so a new version that
    // failed (corrupt, half-copied) pushes nothing out, and a pinned older one stays.
    const keep = new Set(selectVersions(this.config.versionPolicy, onDisk.map((v) => v.version).filter((v) => this.available.has(v))));
    for (const version of [...this.available.keys()]) {
      if (!keep.has(version)) await this.unload(version);
    }
  }

  private async load(v: VersionOnDisk): Promise<void> {
    const log = this.options.logger.child({ model: this.name, version: v.version });
    this.states.set(v.version, { version: v.version, state: 'LOADING' });
    const started = performance.now();
    let backend: Backend | undefined;
    let warning: string | undefined;
    try {
      backend = await this.loadVersion(v);
      checkConfigAgainstSignature(this.config, backend.signature);
      await backend.run(warmupInputs(backend.signature));
      // Last step before AVAILABLE: a version that answers its own references wrongly never serves.
      const check = await selfCheck(backend, this.config, v.dir);
      if (check.kind === 'skipped') warning = check.warning;
      else log.info({ rows: check.rows }, 'self-check passed');
    } catch (err) {
      await backend?.close().catch(() => undefined);
      const error = (err as Error).message;
      // A graph service that is not up yet is no reason to give up on the version.
      if (!isRetryLoad(err)) this.failures.set(v.version, { fingerprint: v.fingerprint, error });
      this.states.set(v.version, { version: v.version, state: 'END', error });
      this.options.events?.loadFailed(this.name, v.version, error);
      log.error({ error }, 'version failed to load; it will not be served');
      return;
    }
    this.failures.delete(v.version);
    const onBatch = (rows: number) => this.options.events?.batched?.(this.name, v.version, rows);
    this.available.set(v.version, new Servable(v.version, backend, this.config.batching, onBatch, maxRowsPerRun(this.config)));
    this.states.set(v.version, { version: v.version, state: 'AVAILABLE', ...(warning && { warning }) });
    if (warning) log.warn(warning);
    const seconds = (performance.now() - started) / 1000;
    this.options.events?.loaded(this.name, v.version, seconds);
    log.info({ seconds: Number(seconds.toFixed(3)) }, 'version loaded and serving');
  }

  /** The version's backend, behind its transformer when the config names one. */
  private async loadVersion(v: VersionOnDisk): Promise<Backend> {
    const options = {
      versionDir: v.dir,
      modelName: this.name,
      version: v.version,
      logger: this.options.logger.child({ model: this.name, version: v.version }),
      onWorkerEvent: (kind: string) => this.options.events?.workerEvent?.(this.name, v.version, kind),
    };
    const model = await this.options.loadBackend(options, this.config);
    if (!this.config.transformer) return model;
    try {
      const transformerConfig = { ...this.config, backend: this.config.transformer.backend, artifact: this.config.transformer.artifact };
      const transformer = await this.options.loadBackend(options, transformerConfig);
      try {
        return withTransformer(transformer, model);
      } catch (err) {
        await transformer.close();
        throw err;
      }
    } catch (err) {
      await model.close();
      throw err;
    }
  }

  private async unload(version: number): Promise<void> {
    const servable = this.available.get(version);
    if (!servable) return;
    // Out of the map first: new requests go elsewhere while the old ones finish.
    this.available.delete(version);
    this.states.set(version, { version, state: 'UNLOADING' });
    await servable.unload();
    this.states.set(version, { version, state: 'END' });
    this.options.events?.unloaded(this.name, version);
    this.options.logger.info({ model: this.name, version }, 'version unloaded');
  }

  /**
   * The servable for a request: a version, a label, or (neither) the latest available.
   * Throws typed errors; each protocol words them its own way.
   */
  resolve(selector: VersionSelector = {}): Servable {
    let version = selector.version;
    if (selector.label !== undefined) {
      version = this.config.labels[selector.label];
      if (version === undefined) throw new LabelNotFound(this.name, selector.label);
    }
    if (this.available.size === 0) throw new NoVersionAvailable(this.name, selector);
    if (version !== undefined) {
      const servable = this.available.get(version);
      if (!servable) throw new VersionNotFound(this.name, version, selector.label);
      return servable;
    }
    return this.available.get(this.latestVersion()!)!;
  }

  latestVersion(): number | undefined {
    let latest: number | undefined;
    for (const v of this.available.keys()) if (latest === undefined || v > latest) latest = v;
    return latest;
  }

  availableVersions(): number[] {
    return [...this.available.keys()].sort((a, b) => b - a);
  }

  /** Every version the repository has seen, newest first, as TF Serving's status reports them. */
  status(): VersionStatus[] {
    return [...this.states.values()].map((s) => this.withHealth(s)).sort((a, b) => b.version - a.version);
  }

  /**
   * A loaded version whose backend cannot serve right now (every worker thread died and
   * none restarts) is reported as not AVAILABLE, with the reason: LOADING, since the
   * backend keeps trying to come back.
   */
  private withHealth(s: VersionStatus): VersionStatus {
    if (s.state !== 'AVAILABLE') return s;
    const backend = this.available.get(s.version)?.backend;
    if (!backend || (backend.ready?.() ?? true)) return s;
    return { version: s.version, state: 'LOADING', error: backend.unavailableReason?.() ?? 'the backend cannot serve right now' };
  }

  isReady(): boolean {
    for (const servable of this.available.values()) if (servable.backend.ready?.() ?? true) return true;
    return false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.syncing;
    await Promise.all([...this.available.keys()].map((v) => this.unload(v)));
  }
}
