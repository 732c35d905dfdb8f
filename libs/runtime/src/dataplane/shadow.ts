import client from 'prom-client';
import type { Logger } from 'pino';
import { runInference, type PipelineContext, type PipelineInput } from '../inference/run-inference.js';
import type { ServedModel } from '../inference/served-model.js';
import { answerRows, compareRow, outputKinds, rowCount } from '../repository/compare-outputs.js';
import type { Servable } from '../repository/servable.js';
import type { NamedTensors } from '../tensor/tensor.js';
import type { Metrics } from './metrics.js';
import { availableServable } from './traffic.js';

/**
 * Shadow traffic: model.json's `"traffic": {"shadow": {"to": "canary", "percent": 20}}`
 * mirrors 20 % of requests to that version. Its answers are never returned; each is
 * compared row by row with the answer the caller got (compare-outputs.ts): label flips,
 * the largest |Δ| of the numbers, and both latencies, exported as metrics and on the
 * status page. The mirror runs after the caller's answer is computed, off its path, and
 * at most `maxInFlight` at a time per model: a slow shadow is skipped (and counted), never queued.
 */
const DELTAS = [1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.05, 0.1, 0.25, 0.5, 1];
const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export const SHADOW_METRICS = {
  requests: 'modelyard_shadow_requests_total',
  rows: 'modelyard_shadow_rows_total',
  flips: 'modelyard_shadow_label_flips_total',
  delta: 'modelyard_shadow_abs_delta',
  maxDelta: 'modelyard_shadow_max_abs_delta',
  seconds: 'modelyard_shadow_inference_seconds',
} as const;

type Labels = { model: string; serving: string; shadow: string };

/** Copies what the serving run will consume: tensor buffers move to a worker thread. */
export function copyInput(input: PipelineInput): PipelineInput {
  if (input.kind === 'records') return input;
  const tensors: NamedTensors = {};
  for (const [name, t] of Object.entries(input.tensors)) tensors[name] = { dtype: t.dtype, shape: [...t.shape], data: t.data.slice() as typeof t.data };
  return { kind: 'tensors', tensors };
}

export class ShadowTraffic {
  private readonly inFlight = new Map<string, number>();
  private readonly requests: client.Counter<'model' | 'serving' | 'shadow' | 'result'>;
  private readonly rows: client.Counter<keyof Labels>;
  private readonly flips: client.Counter<keyof Labels>;
  private readonly delta: client.Histogram<keyof Labels>;
  private readonly maxDelta: client.Gauge<keyof Labels>;
  private readonly maxSeen = new Map<string, number>();
  private readonly seconds: client.Histogram<'model' | 'version' | 'side'>;

  constructor(
    metrics: Metrics,
    private readonly logger: Logger,
  ) {
    const registers = [metrics.registry];
    // One registry per app; a second data plane over it (tests) reuses what is there.
    for (const name of Object.values(SHADOW_METRICS)) metrics.registry.removeSingleMetric(name);
    this.requests = new client.Counter({ name: SHADOW_METRICS.requests, help: 'Requests mirrored to a shadow version, by result (compared, failed, skipped)', labelNames: ['model', 'serving', 'shadow', 'result'], registers });
    this.rows = new client.Counter({ name: SHADOW_METRICS.rows, help: 'Rows compared between the serving and the shadow version', labelNames: ['model', 'serving', 'shadow'], registers });
    this.flips = new client.Counter({ name: SHADOW_METRICS.flips, help: 'Compared rows whose label differs between the serving and the shadow version', labelNames: ['model', 'serving', 'shadow'], registers });
    this.delta = new client.Histogram({ name: SHADOW_METRICS.delta, help: 'Per compared row: the largest |serving - shadow| over its probabilities / scores', labelNames: ['model', 'serving', 'shadow'], buckets: DELTAS, registers });
    this.maxDelta = new client.Gauge({ name: SHADOW_METRICS.maxDelta, help: 'The largest per-row |serving - shadow| seen since the app started', labelNames: ['model', 'serving', 'shadow'], registers });
    this.seconds = new client.Histogram({ name: SHADOW_METRICS.seconds, help: 'Pipeline time of mirrored requests, on the serving and on the shadow side', labelNames: ['model', 'version', 'side'], buckets: SECONDS, registers });
  }

  /** The shadow servable for this request, or undefined (no shadow, not sampled, not AVAILABLE, or the same version). */
  pick(model: ServedModel, serving: Servable): Servable | undefined {
    const shadow = model.config.traffic?.shadow;
    if (!shadow || Math.random() * 100 >= shadow.percent) return undefined;
    const servable = availableServable(model, shadow.to);
    if (!servable || servable.version === serving.version) return undefined;
    if ((this.inFlight.get(model.name) ?? 0) >= shadow.maxInFlight) {
      this.requests.inc({ model: model.name, serving: String(serving.version), shadow: String(servable.version), result: 'skipped' });
      return undefined;
    }
    return servable;
  }

  /** Runs the copy on the shadow and compares; never throws, never delays the caller. */
  mirror(model: ServedModel, serving: { servable: Servable; outputs: NamedTensors; seconds: number }, shadow: Servable, input: PipelineInput, pipeline: PipelineContext): void {
    const labels: Labels = { model: model.name, serving: String(serving.servable.version), shadow: String(shadow.version) };
    this.inFlight.set(model.name, (this.inFlight.get(model.name) ?? 0) + 1);
    // The caller's answer is encoded from these buffers: read them into rows now.
    const served = answerRows(serving.outputs);
    const started = performance.now();
    void shadow
      .use(() => runInference(model, shadow, input, { ...pipeline, outputs: undefined }))
      .then((outputs) => {
        this.seconds.observe({ model: model.name, version: labels.serving, side: 'serving' }, serving.seconds);
        this.seconds.observe({ model: model.name, version: labels.shadow, side: 'shadow' }, (performance.now() - started) / 1000);
        const mirrored = answerRows(outputs);
        const kinds = outputKinds(model.config, serving.servable.signature);
        const rows = rowCount(served);
        let flips = 0;
        const key = `${labels.model}\u0000${labels.serving}\u0000${labels.shadow}`;
        let max = this.maxSeen.get(key) ?? 0;
        for (let row = 0; row < rows; row++) {
          const diff = compareRow(kinds, served, mirrored, row);
          if (diff.labelFlip) flips++;
          this.delta.observe(labels, diff.maxAbsDelta);
          max = Math.max(max, diff.maxAbsDelta);
        }
        this.maxSeen.set(key, max);
        this.maxDelta.set(labels, max);
        this.rows.inc(labels, rows);
        this.flips.inc(labels, flips);
        this.requests.inc({ ...labels, result: 'compared' });
      })
      .catch((err: unknown) => {
        this.requests.inc({ ...labels, result: 'failed' });
        this.logger.warn({ model: model.name, version: shadow.version, error: (err as Error).message }, 'shadow request failed (the caller was not affected)');
      })
      .finally(() => this.inFlight.set(model.name, this.inFlight.get(model.name)! - 1));
  }
}

export interface ShadowSummary {
  serving: string;
  shadow: string;
  compared: number;
  failed: number;
  skipped: number;
  rows: number;
  labelFlips: number;
  labelFlipRate: number;
  meanAbsDelta: number;
  maxAbsDelta: number;
  servingMeanMs: number;
  shadowMeanMs: number;
}

/** What the status page shows per serving → shadow pair, read back from the app's metrics. */
export async function shadowSummaries(metrics: Metrics, model: string): Promise<ShadowSummary[]> {
  type Value = { labels: Record<string, unknown>; value: number; metricName?: string };
  const values = async (name: string): Promise<Value[]> => (((await metrics.registry.getSingleMetric(name)?.get())?.values ?? []) as Value[]).filter((v) => v.labels['model'] === model);
  const pairs = new Map<string, ShadowSummary>();
  const pair = (labels: Record<string, unknown>) => {
    const key = `${String(labels['serving'])}\u0000${String(labels['shadow'])}`;
    let p = pairs.get(key);
    if (!p) pairs.set(key, (p = { serving: String(labels['serving']), shadow: String(labels['shadow']), compared: 0, failed: 0, skipped: 0, rows: 0, labelFlips: 0, labelFlipRate: 0, meanAbsDelta: 0, maxAbsDelta: 0, servingMeanMs: 0, shadowMeanMs: 0 }));
    return p;
  };
  for (const v of await values(SHADOW_METRICS.requests)) {
    const p = pair(v.labels);
    const result = String(v.labels['result']) as 'compared' | 'failed' | 'skipped';
    p[result] = v.value;
  }
  for (const v of await values(SHADOW_METRICS.rows)) pair(v.labels).rows = v.value;
  for (const v of await values(SHADOW_METRICS.flips)) pair(v.labels).labelFlips = v.value;
  for (const v of await values(SHADOW_METRICS.maxDelta)) pair(v.labels).maxAbsDelta = v.value;
  const sums = new Map<string, { sum: number; count: number }>();
  for (const v of await values(SHADOW_METRICS.delta)) {
    if (!v.metricName?.endsWith('_sum') && !v.metricName?.endsWith('_count')) continue;
    const p = pair(v.labels);
    const key = `${p.serving}\u0000${p.shadow}`;
    const s = sums.get(key) ?? { sum: 0, count: 0 };
    if (v.metricName.endsWith('_sum')) s.sum = v.value;
    else s.count = v.value;
    sums.set(key, s);
  }
  const latency = new Map<string, { sum: number; count: number }>();
  for (const v of await values(SHADOW_METRICS.seconds)) {
    if (!v.metricName?.endsWith('_sum') && !v.metricName?.endsWith('_count')) continue;
    const key = `${String(v.labels['side'])}\u0000${String(v.labels['version'])}`;
    const s = latency.get(key) ?? { sum: 0, count: 0 };
    if (v.metricName.endsWith('_sum')) s.sum = v.value;
    else s.count = v.value;
    latency.set(key, s);
  }
  const meanMs = (side: string, version: string) => {
    const s = latency.get(`${side}\u0000${version}`);
    return s && s.count > 0 ? Number(((s.sum / s.count) * 1000).toFixed(3)) : 0;
  };
  for (const [key, p] of pairs) {
    const s = sums.get(key);
    p.meanAbsDelta = s && s.count > 0 ? s.sum / s.count : 0;
    p.labelFlipRate = p.rows > 0 ? p.labelFlips / p.rows : 0;
    p.servingMeanMs = meanMs('serving', p.serving);
    p.shadowMeanMs = meanMs('shadow', p.shadow);
  }
  return [...pairs.values()];
}
