import type { BackendDetails } from '../../backends/backend.js';
import type { ModelConfig } from '../../config/schema.js';
import type { ModelSet } from '../../inference/served-model.js';
import type { Metrics } from '../../dataplane/metrics.js';
import { shadowSummaries, type ShadowSummary } from '../../dataplane/shadow.js';
import type { ModelTraffic, TrafficHistory, TrafficSeries } from './traffic-history.js';

/** GET /status.json: what the status page draws, from the repositories and the app's own metrics. */
export interface StatusJson {
  time: number;
  startedAt: number;
  intervalMs: number;
  ready: boolean;
  models: ModelStatusJson[];
}

export interface ModelStatusJson {
  name: string;
  backend: string;
  description?: string;
  /** The model /get_score serves. */
  primary: boolean;
  residency?: string;
  labels: Record<string, number>;
  versions: {
    version: number;
    state: string;
    error?: string;
    warning?: string;
    labels: string[];
    loadedAt?: number;
    loadSeconds?: number;
    details?: BackendDetails;
  }[];
  traffic: ModelTraffic;
  series: TrafficSeries[];
  /** Rows per batch run by the batcher, per version: counts per bucket (upper bound `le`). */
  batches: { version: string; le: string[]; counts: number[] }[];
  /** Safety gates (docs/safety.md): the canary split and what the shadow comparisons found. */
  gates?: { canary?: { percent: number; to: number | string }; shadow?: ShadowSummary & { to: number | string; percent: number } };
}

async function batchHistograms(metrics: Metrics): Promise<Map<string, ModelStatusJson['batches']>> {
  const { values } = await metrics.batchRows.get();
  const byKey = new Map<string, { model: string; version: string; le: string[]; cumulative: number[] }>();
  for (const v of values) {
    if (!v.metricName?.endsWith('_bucket')) continue;
    const model = String(v.labels['model']);
    const version = String(v.labels['version']);
    const key = `${model}\u0000${version}`;
    let h = byKey.get(key);
    if (!h) byKey.set(key, (h = { model, version, le: [], cumulative: [] }));
    h.le.push(String((v.labels as Record<string, unknown>)['le']));
    h.cumulative.push(v.value);
  }
  const out = new Map<string, ModelStatusJson['batches']>();
  for (const h of byKey.values()) {
    const counts = h.cumulative.map((c, i) => c - (i > 0 ? h.cumulative[i - 1]! : 0));
    const list = out.get(h.model) ?? [];
    list.push({ version: h.version, le: h.le, counts });
    out.set(h.model, list);
  }
  return out;
}

export async function statusJson(options: {
  models: ModelSet;
  metrics: Metrics;
  history: TrafficHistory;
  isReady: () => boolean;
  startedAt: number;
  intervalMs: number;
  since?: number;
}): Promise<StatusJson> {
  const { models, metrics, history } = options;
  const batches = await batchHistograms(metrics);
  const primary = models.primary().name;
  const shadows = new Map(await Promise.all(models.all().map(async (m) => [m.name, await shadowSummaries(metrics, m.name)] as const)));
  return {
    time: Date.now(),
    startedAt: options.startedAt,
    intervalMs: options.intervalMs,
    ready: options.isReady(),
    models: models.all().map((m) => {
      const labels = m.config.labels;
      return {
        name: m.name,
        backend: m.config.backend,
        ...(m.config.description && { description: m.config.description }),
        primary: m.name === primary,
        // In a yard: where the model stands in the cache (loaded, loading, unloading, unloaded, failed).
        ...(m.residency && { residency: m.residency.state() }),
        labels,
        versions: m.repository.status().map((s) => {
          const load = metrics.versionLoads.get(`${m.name}/${s.version}`);
          let details: BackendDetails | undefined;
          if (s.state === 'AVAILABLE') {
            try {
              details = m.repository.resolve({ version: s.version }).backend.describe?.();
            } catch {
              details = undefined; // unloaded between status() and resolve()
            }
          }
          return {
            version: s.version,
            state: s.state,
            ...(s.error && { error: s.error }),
            ...(s.warning && { warning: s.warning }),
            labels: Object.keys(labels).filter((l) => labels[l] === s.version),
            ...(load && { loadedAt: load.at, loadSeconds: Number(load.seconds.toFixed(3)) }),
            ...(details && { details }),
          };
        }),
        traffic: history.trafficOf(m.name),
        series: history.seriesOf(m.name, options.since),
        batches: batches.get(m.name) ?? [],
        ...(m.config.traffic && { gates: gatesOf(m.config.traffic, shadows.get(m.name) ?? []) }),
      };
    }),
  };
}

function gatesOf(traffic: NonNullable<ModelConfig['traffic']>, shadows: ShadowSummary[]): NonNullable<ModelStatusJson['gates']> {
  const gates: NonNullable<ModelStatusJson['gates']> = {};
  if (traffic.canary > 0) gates.canary = { percent: traffic.canary, to: traffic.canaryTo };
  if (traffic.shadow) {
    // The pair with the most comparisons: the one running now (older pairs stay in the metrics).
    const current = [...shadows].sort((a, b) => b.compared - a.compared)[0];
    gates.shadow = { to: traffic.shadow.to, percent: traffic.shadow.percent, ...(current ?? { serving: '', shadow: '', compared: 0, failed: 0, skipped: 0, rows: 0, labelFlips: 0, labelFlipRate: 0, meanAbsDelta: 0, maxAbsDelta: 0, servingMeanMs: 0, shadowMeanMs: 0 }) };
  }
  return gates;
}
