import client from 'prom-client';
import type { RepositoryEvents } from '../repository/model-repository.js';

const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Everything /metrics reports. One registry per app, so tests can build many apps. */
export class Metrics {
  readonly registry = new client.Registry();

  readonly requests = new client.Counter({
    name: 'modelyard_requests_total',
    help: 'HTTP requests by model, version, protocol and status code',
    labelNames: ['model', 'version', 'protocol', 'status'] as const,
    registers: [this.registry],
  });

  readonly requestSeconds = new client.Histogram({
    name: 'modelyard_request_duration_seconds',
    help: 'HTTP request latency by model, version, protocol and status code',
    labelNames: ['model', 'version', 'protocol', 'status'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });

  readonly rejected = new client.Counter({
    name: 'modelyard_rejected_requests_total',
    help: 'Requests turned away by admission control (503 + Retry-After) by model, protocol and reason',
    labelNames: ['model', 'protocol', 'reason'] as const,
    registers: [this.registry],
  });

  readonly inferenceSeconds = new client.Histogram({
    name: 'modelyard_inference_duration_seconds',
    help: 'Time in the backend (batching wait included) by model and version',
    labelNames: ['model', 'version'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });

  readonly batchRows = new client.Histogram({
    name: 'modelyard_batch_rows',
    help: 'Rows per batch run by the dynamic batcher',
    labelNames: ['model', 'version'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });

  readonly loads = new client.Counter({
    name: 'modelyard_model_loads_total',
    help: 'Version loads by result (success or failure)',
    labelNames: ['model', 'version', 'result'] as const,
    registers: [this.registry],
  });

  readonly loadSeconds = new client.Histogram({
    name: 'modelyard_model_load_duration_seconds',
    help: 'Time to load and warm up a version',
    labelNames: ['model'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly unloads = new client.Counter({
    name: 'modelyard_model_unloads_total',
    help: 'Version unloads',
    labelNames: ['model', 'version'] as const,
    registers: [this.registry],
  });

  /** When each version (key "model/version") last finished loading and how long it took, for the status page. */
  readonly versionLoads = new Map<string, { at: number; seconds: number }>();

  /** The /metrics text: this registry, or the sum over all processes in multi-process mode (server/processes.ts). */
  render: () => Promise<string> = () => this.registry.metrics();
  readonly workerEvents = new client.Counter({
    name: 'modelyard_inference_worker_events_total',
    help: 'Inference worker threads that exited, were replaced, or failed to restart',
    labelNames: ['model', 'version', 'event'] as const,
    registers: [this.registry],
  });

  constructor() {
    client.collectDefaultMetrics({ register: this.registry });
  }

  /**
   * The labelled series of each (model, version, protocol, status) seen so far. prom-client
   * validates and rebuilds a label set on every inc/observe given an object; a child from
   * labels() skips the object and its validation, so the hot path looks one up by key.
   */
  private readonly requestSeries = new Map<string, { count: client.Counter.Internal; seconds: client.Histogram.Internal<string> }>();

  /** Counts and times one finished request: the only place request metrics are written. */
  recordRequest(labels: { model?: string; version?: number; protocol: string }, status: string | number, seconds: number): void {
    const model = labels.model ?? 'unknown';
    const version = labels.version === undefined ? '' : String(labels.version);
    // NUL cannot occur in a model name or protocol, so the key is unambiguous.
    const key = `${model}\0${version}\0${labels.protocol}\0${status}`;
    let series = this.requestSeries.get(key);
    if (!series) {
      const values = { model, version, protocol: labels.protocol, status: String(status) };
      series = { count: this.requests.labels(values), seconds: this.requestSeconds.labels(values) };
      this.requestSeries.set(key, series);
    }
    series.count.inc();
    series.seconds.observe(seconds);
  }

  /** Each (model, version)'s inference-time and batch-rows series, looked up by key as requestSeries are. */
  private readonly versionSeries = new Map<string, { inference: client.Histogram.Internal<string>; rows: client.Histogram.Internal<string> }>();

  private seriesOf(model: string, version: number) {
    const key = `${model}\0${version}`;
    let series = this.versionSeries.get(key);
    if (!series) {
      const values = { model, version: String(version) };
      series = { inference: this.inferenceSeconds.labels(values), rows: this.batchRows.labels(values) };
      this.versionSeries.set(key, series);
    }
    return series;
  }

  /** Times one backend call (batching wait included). */
  recordInference(model: string, version: number, seconds: number): void {
    this.seriesOf(model, version).inference.observe(seconds);
  }

  /** The repository reports loads, failures and unloads here. */
  readonly repositoryEvents: RepositoryEvents = {
    loaded: (model, version, seconds) => {
      this.loads.inc({ model, version: String(version), result: 'success' });
      this.loadSeconds.observe({ model }, seconds);
      this.versionLoads.set(`${model}/${version}`, { at: Date.now(), seconds });
    },
    loadFailed: (model, version) => this.loads.inc({ model, version: String(version), result: 'failure' }),
    unloaded: (model, version) => this.unloads.inc({ model, version: String(version) }),
    batched: (model, version, rows) => this.seriesOf(model, version).rows.observe(rows),
    workerEvent: (model, version, event) => this.workerEvents.inc({ model, version: String(version), event }),
  };
}
