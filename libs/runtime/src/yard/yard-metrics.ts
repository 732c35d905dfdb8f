import client from 'prom-client';

const LOAD_SECONDS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * What a yard's cache reports on /metrics, beside the per-version load counters every app
 * has. No per-model label on the histogram: a yard of a thousand models would make it a
 * thousand series of buckets.
 */
export class YardMetrics {
  readonly requests: client.Counter<'result'>;
  readonly loads: client.Counter<'result'>;
  readonly unloads: client.Counter<'reason'>;
  readonly loadTimeouts: client.Counter;
  readonly loadSeconds: client.Histogram;
  readonly loaded: client.Gauge;

  constructor(registry: client.Registry) {
    const registers = [registry];
    this.requests = new client.Counter({ name: 'modelyard_yard_requests_total', help: 'Requests to a yard model by cache result: hit (loaded) or miss (had to load or wait for a load)', labelNames: ['result'], registers });
    this.loads = new client.Counter({ name: 'modelyard_yard_loads_total', help: 'Model loads by the yard cache, by result (success or failure)', labelNames: ['result'], registers });
    this.unloads = new client.Counter({ name: 'modelyard_yard_unloads_total', help: 'Models unloaded by the yard cache, by reason (max_loaded_models or memory_budget)', labelNames: ['reason'], registers });
    this.loadTimeouts = new client.Counter({ name: 'modelyard_yard_load_timeouts_total', help: 'Requests answered 503 because their model did not load within MODEL_LOAD_TIMEOUT_MS', registers });
    this.loadSeconds = new client.Histogram({ name: 'modelyard_yard_load_duration_seconds', help: 'Time for the yard to load a model (every version the policy wants, warmed up)', buckets: LOAD_SECONDS, registers });
    this.loaded = new client.Gauge({ name: 'modelyard_yard_loaded_models', help: 'Models loaded in the yard now', registers });
  }
}
