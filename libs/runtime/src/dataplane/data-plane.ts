import type { Logger } from 'pino';
import { classifyBackendError, ModelNotFound, type Requested } from '../errors.js';
import type { Protocol } from '../inference/hooks.js';
import { runInference, type PipelineContext, type PipelineInput } from '../inference/run-inference.js';
import type { ModelSet, ServedModel } from '../inference/served-model.js';
import type { VersionSelector, VersionStatus } from '../repository/model-repository.js';
import type { Servable } from '../repository/servable.js';
import type { NamedTensors } from '../tensor/tensor.js';
import { Admission } from './admission.js';
import type { Metrics } from './metrics.js';
import { RequestRecorder } from './recorder.js';
import type { RequestScope } from './request-scope.js';
import { copyInput, ShadowTraffic } from './shadow.js';
import { routeRequest } from './traffic.js';

export interface DataPlaneOptions {
  models: ModelSet;
  metrics: Metrics;
  logger: Logger;
  /** False once shutdown has begun, so readiness takes the pod out of rotation first. */
  accepting?: () => boolean;
}

/** What a protocol's codec hands the data plane once it has read the body against a signature. */
export interface Decoded {
  input: PipelineInput;
  /** Restricts the outputs computed; undefined means all. */
  outputs?: readonly string[];
}

export interface InferCall<T, D extends Decoded = Decoded> {
  model: ServedModel;
  selector: VersionSelector;
  /**
   * Body → pipeline input, against the resolved version's signature (4xx on bad input).
   * A promise when a large body is decoded in time slices (threads/time-slices.ts).
   */
  decode(servable: Servable): D | Promise<D>;
  /** Pipeline output → the protocol's answer (a promise when encoded in time slices). */
  encode(outputs: NamedTensors, servable: Servable, decoded: D): T | Promise<T>;
}

const rowsOf = (input: PipelineInput): number =>
  input.kind === 'records' ? input.table.length : (Object.values(input.tensors)[0]?.shape[0] ?? 0);

/**
 * The one data plane every protocol goes through (the role of MLServer's DataPlane and
 * KServe's dataplane.py): model, version and label resolution, admission, readiness,
 * inference, metadata, status, and request metrics, written once. Protocols only turn
 * their wire format into calls on this and its answers back into their wire format.
 */
export class DataPlane {
  readonly models: ModelSet;
  readonly metrics: Metrics;
  readonly logger: Logger;
  private readonly accepting: () => boolean;
  private readonly admissions = new Map<string, Admission>();
  /** Safety gates (docs/safety.md): shadow comparisons and request recording. */
  readonly shadow: ShadowTraffic;
  readonly recorders = new Map<string, RequestRecorder>();

  constructor(options: DataPlaneOptions) {
    this.models = options.models;
    this.metrics = options.metrics;
    this.logger = options.logger;
    this.accepting = options.accepting ?? (() => true);
    this.shadow = new ShadowTraffic(this.metrics, this.logger);
    for (const m of this.models.all()) {
      this.admissions.set(m.name, new Admission(m.name, m.config.admission));
      if (m.config.record) this.recorders.set(m.name, new RequestRecorder(m.name, m.config.record, this.logger));
      // Built after the first load: a label that points past what is served is worth a warning now.
      for (const problem of this.labelProblems(m)) this.logger.warn({ model: m.name, label: problem.label, version: problem.version }, problem.error);
    }
  }

  /**
   * Labels pointing at a version that is neither loaded nor being loaded: outside the
   * version policy, or not on disk. Requests through them get 404 (as in TF Serving).
   */
  labelProblems(model: ServedModel): { label: string; version: number; error: string }[] {
    // A yard's model that is not loaded has no versions to check its labels against yet.
    if (model.residency && model.residency.state() !== 'loaded') return [];
    const known = new Set(model.repository.status().map((v) => v.version));
    const available = new Set(model.repository.availableVersions());
    return Object.entries(model.config.labels)
      .filter(([, version]) => !available.has(version) && !known.has(version))
      .map(([label, version]) => ({
        label,
        version,
        error: `label "${label}" points at version ${version}, which is not served: it is outside the version policy or not on disk`,
      }));
  }

  /** The process answers: liveness never depends on the models. */
  live(): boolean {
    return true;
  }

  /** Every model has a version that can serve, and no shutdown has begun. */
  ready(): boolean {
    return this.accepting() && this.models.isReady();
  }

  model(name: string, requested: Requested = {}): ServedModel {
    const model = this.models.find(name);
    if (!model) throw new ModelNotFound(name, requested);
    return model;
  }

  /** The app's own model, which /get_score serves. */
  primary(): ServedModel {
    return this.models.primary();
  }

  /**
   * Typed errors: LabelNotFound, NoVersionAvailable, VersionNotFound. With a request's scope,
   * an unpinned request takes the model's canary split (traffic.ts).
   */
  resolve(model: ServedModel, selector: VersionSelector = {}, scope?: RequestScope): Servable {
    return routeRequest(model, selector, scope);
  }

  /**
   * resolve() for metadata: a yard's model that is not loaded is loaded first (the same
   * bounded wait as a prediction), so every API answers for every model in the yard.
   */
  resolveLoaded(model: ServedModel, selector: VersionSelector = {}, scope?: RequestScope): Promise<Servable> {
    if (!model.residency) return Promise.resolve(this.resolve(model, selector));
    return model.residency.hold(async () => this.resolve(model, selector, scope), scope);
  }

  modelReady(model: ServedModel, selector: VersionSelector = {}): boolean {
    try {
      const servable = this.resolve(model, selector);
      return (servable.backend.ready?.() ?? true) && this.accepting();
    } catch {
      return false;
    }
  }

  /**
   * Every version the repository knows, newest first, with its state (TF Serving's status);
   * a version that only a label names shows as END with the label's problem as its error.
   */
  status(model: ServedModel): VersionStatus[] {
    const versions = model.repository.status();
    const byVersion = new Map<number, string[]>();
    for (const p of this.labelProblems(model)) byVersion.set(p.version, [...(byVersion.get(p.version) ?? []), p.error]);
    if (byVersion.size === 0) return versions;
    const extra = [...byVersion].map(([version, errors]): VersionStatus => ({ version, state: 'END', error: errors.join('; ') }));
    return [...versions, ...extra].sort((a, b) => b.version - a.version);
  }

  availableVersions(model: ServedModel): number[] {
    return model.repository.availableVersions();
  }

  /**
   * Takes an admission slot for the request before its body is read. An unknown model is
   * not refused here: resolution reports it in the protocol's words.
   */
  admit(scope: RequestScope, modelName: string): void {
    const admission = this.admissions.get(modelName);
    if (!admission) return;
    scope.model = modelName;
    try {
      scope.release = admission.enter();
    } catch (err) {
      this.metrics.rejected.inc({ model: modelName, protocol: scope.protocol, reason: 'max_in_flight' });
      throw err;
    }
  }

  /**
   * Resolve → hold the version → run `fn`, with backend failures classified once. For
   * protocol paths that run the pipeline themselves (:classify, :regress).
   */
  use<T>(scope: RequestScope, model: ServedModel, selector: VersionSelector, fn: (servable: Servable, pipeline: PipelineContext) => Promise<T>): Promise<T> {
    // A yard's model may be unloaded: load it (bounded wait) and keep it loaded for the request.
    if (model.residency) return model.residency.hold(() => this.useLoaded(scope, model, selector, fn), scope);
    return this.useLoaded(scope, model, selector, fn);
  }

  private async useLoaded<T>(scope: RequestScope, model: ServedModel, selector: VersionSelector, fn: (servable: Servable, pipeline: PipelineContext) => Promise<T>): Promise<T> {
    scope.model = model.name;
    const servable = this.resolve(model, selector, scope);
    scope.version = servable.version;
    const pipeline = new ScopedPipeline(scope, this.metrics);
    try {
      return await servable.use(() => fn(servable, pipeline));
    } catch (err) {
      throw classifyBackendError(err);
    }
  }

  /** One inference: resolve, decode, admit the rows, run the pipeline, encode. */
  infer<T, D extends Decoded>(scope: RequestScope, call: InferCall<T, D>): Promise<T> {
    return this.use(scope, call.model, call.selector, async (servable, pipeline) => {
      const decoded = await call.decode(servable);
      const releaseRows = this.reserveRows(scope, call.model.name, rowsOf(decoded.input));
      try {
        pipeline.outputs = decoded.outputs;
        this.recorders.get(call.model.name)?.maybeRecord(decoded.input, servable.version);
        const shadow = this.shadow.pick(call.model, servable);
        const mirrored = shadow && copyInput(decoded.input);
        const started = performance.now();
        const outputs = await runInference(call.model, servable, decoded.input, pipeline);
        if (shadow) this.shadow.mirror(call.model, { servable, outputs, seconds: (performance.now() - started) / 1000 }, shadow, mirrored!, pipeline);
        // Awaited here, so the rows stay reserved until a sliced encode has finished.
        return await call.encode(outputs, servable, decoded);
      } finally {
        releaseRows();
      }
    });
  }

  private reserveRows(scope: RequestScope, model: string, rows: number): () => void {
    const admission = this.admissions.get(model);
    if (!admission) return () => undefined;
    try {
      return admission.reserveRows(rows);
    } catch (err) {
      this.metrics.rejected.inc({ model, protocol: scope.protocol, reason: 'max_queued_rows' });
      throw err;
    }
  }

  /** The end of every request, whatever its protocol: metrics once, admission slot back. */
  finish(scope: RequestScope, status: string | number): void {
    scope.release?.();
    scope.release = undefined;
    if (scope.protocol === 'ops') return;
    this.metrics.recordRequest({ model: scope.model, version: scope.version, protocol: scope.protocol }, status, scope.seconds);
  }
}

/**
 * A request's PipelineContext. A class, not an object literal with `get log()`: a literal
 * defines its getter anew for every request, and V8's scavenges then kept every request's
 * context (and what its closure holds: the scope, its headers) alive until the next full GC
 * — 1.4 MB a scavenge at one record, c=1 (docs/benchmarks/hotpath.md, session 5). A getter on
 * the prototype is defined once.
 */
class ScopedPipeline implements PipelineContext {
  // Hooks see the protocol family ("grpc"), metrics the method ("grpc:Predict").
  readonly protocol: Protocol;
  readonly requestId: string;
  outputs?: readonly string[] = undefined;

  constructor(
    private readonly scope: RequestScope,
    readonly metrics: Metrics,
  ) {
    this.protocol = (scope.protocol.startsWith('grpc:') ? 'grpc' : scope.protocol) as Protocol;
    this.requestId = scope.requestId;
  }

  /** The scope's logger, made only if something logs. */
  get log(): Logger {
    return this.scope.log;
  }
}
