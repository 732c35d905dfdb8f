import type { Metrics } from '../../dataplane/metrics.js';

/**
 * The status page's memory: the app's own request histogram read every few seconds and
 * turned into rates and latency percentiles per model, version and protocol. Only the
 * per-interval figures are kept (a ring of `keep` points per series), so 100 models × a few
 * versions × 4 protocols stay a few MB at most.
 */

/** [time ms, requests/s, 5xx/s, 4xx/s, p50 ms, p95 ms, p99 ms]; percentiles null without traffic. */
export type TrafficPoint = [number, number, number, number, number | null, number | null, number | null];

export interface TrafficSeries {
  model: string;
  version: string;
  protocol: string;
  points: TrafficPoint[];
}

/** Totals since start and figures over the recent window, per model. */
export interface ModelTraffic {
  requests: number;
  errors: number;
  recent: { seconds: number; rps: number; errorRate: number; p50: number | null; p95: number | null; p99: number | null };
}

interface Cumulative {
  count: number;
  err5: number;
  err4: number;
  /** Cumulative counts per bucket bound (prometheus "le"), in bound order. */
  buckets: number[];
}

const empty = (n: number): Cumulative => ({ count: 0, err5: 0, err4: 0, buckets: new Array<number>(n).fill(0) });

function add(into: Cumulative, from: Cumulative): void {
  into.count += from.count;
  into.err5 += from.err5;
  into.err4 += from.err4;
  from.buckets.forEach((b, i) => (into.buckets[i]! += b));
}

function minus(a: Cumulative, b: Cumulative | undefined): Cumulative {
  if (!b) return a;
  return { count: a.count - b.count, err5: a.err5 - b.err5, err4: a.err4 - b.err4, buckets: a.buckets.map((v, i) => v - (b.buckets[i] ?? 0)) };
}

/**
 * A quantile from cumulative bucket counts, interpolated linearly inside its bucket as
 * Prometheus' histogram_quantile does; past the last finite bound it reads as that bound.
 */
export function quantileMs(bounds: readonly number[], cumulative: readonly number[], total: number, q: number): number | null {
  if (total <= 0) return null;
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (let i = 0; i < bounds.length; i++) {
    const count = cumulative[i]!;
    if (count >= rank) {
      const inBucket = count - prevCount;
      const fraction = inBucket > 0 ? (rank - prevCount) / inBucket : 1;
      return (prevBound + (bounds[i]! - prevBound) * fraction) * 1000;
    }
    prevBound = bounds[i]!;
    prevCount = count;
  }
  return prevBound * 1000;
}

const round = (v: number | null, digits = 3) => (v === null ? null : Number(v.toFixed(digits)));

export class TrafficHistory {
  private bounds: number[] = [];
  private last = new Map<string, Cumulative>();
  private readonly series = new Map<string, TrafficSeries>();
  /** Per model, the cumulative figures of the last `window` samples, oldest first. */
  private readonly perModel = new Map<string, { at: number; c: Cumulative }[]>();
  private lastAt = 0;

  constructor(
    private readonly metrics: Metrics,
    readonly keep = 150,
    /** Samples in the "recent" window. */
    private readonly window = 30,
  ) {}

  private async read(): Promise<Map<string, Cumulative>> {
    const { values } = await this.metrics.requestSeconds.get();
    const le = (v: (typeof values)[number]) => (v.labels as Record<string, string | number | undefined>)['le'];
    const bounds = new Set<number>();
    for (const v of values) if (v.metricName?.endsWith('_bucket') && le(v) !== '+Inf') bounds.add(Number(le(v)));
    this.bounds = [...bounds].sort((a, b) => a - b);
    const index = new Map(this.bounds.map((b, i) => [b, i]));
    const now = new Map<string, Cumulative>();
    for (const v of values) {
      const { model, version, protocol, status } = v.labels as Record<string, string | undefined>;
      const key = `${model}\u0000${version}\u0000${protocol}`;
      let c = now.get(key);
      if (!c) now.set(key, (c = empty(this.bounds.length)));
      if (v.metricName?.endsWith('_count')) {
        c.count += v.value;
        const code = Number(status);
        if (code >= 500) c.err5 += v.value;
        else if (code >= 400) c.err4 += v.value;
      } else if (v.metricName?.endsWith('_bucket')) {
        const i = index.get(Number(le(v)));
        if (i !== undefined) c.buckets[i]! += v.value;
      }
    }
    return now;
  }

  /** One sample: a point per series that saw traffic since the previous sample, or had some before. */
  async sample(at = Date.now()): Promise<void> {
    const now = await this.read();
    const seconds = this.lastAt ? (at - this.lastAt) / 1000 : 0;
    const models = new Map<string, Cumulative>();
    for (const [key, c] of now) {
      const [model, version, protocol] = key.split('\u0000') as [string, string, string];
      let m = models.get(model);
      if (!m) models.set(model, (m = empty(this.bounds.length)));
      add(m, c);
      if (seconds <= 0) continue;
      const d = minus(c, this.last.get(key));
      let s = this.series.get(key);
      if (!s) this.series.set(key, (s = { model, version, protocol, points: [] }));
      s.points.push([
        at,
        round(d.count / seconds)!,
        round(d.err5 / seconds)!,
        round(d.err4 / seconds)!,
        round(quantileMs(this.bounds, d.buckets, d.count, 0.5)),
        round(quantileMs(this.bounds, d.buckets, d.count, 0.95)),
        round(quantileMs(this.bounds, d.buckets, d.count, 0.99)),
      ]);
      if (s.points.length > this.keep) s.points.shift();
    }
    for (const [model, c] of models) {
      let ring = this.perModel.get(model);
      // A model first seen now had no traffic at the previous sample: start its window there.
      if (!ring) this.perModel.set(model, (ring = this.lastAt ? [{ at: this.lastAt, c: empty(this.bounds.length) }] : []));
      ring.push({ at, c });
      if (ring.length > this.window + 1) ring.shift();
    }
    this.last = now;
    this.lastAt = at;
  }

  /** A model's series, with only the points after `since` (the page asks for what it lacks). */
  seriesOf(model: string, since = 0): TrafficSeries[] {
    const out: TrafficSeries[] = [];
    for (const s of this.series.values()) {
      if (s.model !== model) continue;
      out.push({ ...s, points: since ? s.points.filter((p) => p[0] > since) : s.points });
    }
    return out.sort((a, b) => a.version.localeCompare(b.version) || a.protocol.localeCompare(b.protocol));
  }

  trafficOf(model: string): ModelTraffic {
    const ring = this.perModel.get(model) ?? [];
    const newest = ring.at(-1);
    const oldest = ring[0];
    if (!newest || !oldest) return { requests: 0, errors: 0, recent: { seconds: 0, rps: 0, errorRate: 0, p50: null, p95: null, p99: null } };
    const d = minus(newest.c, oldest === newest ? undefined : oldest.c);
    const seconds = (newest.at - oldest.at) / 1000;
    return {
      requests: newest.c.count,
      errors: newest.c.err5,
      recent: {
        seconds: Math.round(seconds),
        rps: seconds > 0 ? round(d.count / seconds)! : 0,
        errorRate: d.count > 0 ? round(d.err5 / d.count, 4)! : 0,
        p50: round(quantileMs(this.bounds, d.buckets, d.count, 0.5)),
        p95: round(quantileMs(this.bounds, d.buckets, d.count, 0.95)),
        p99: round(quantileMs(this.bounds, d.buckets, d.count, 0.99)),
      },
    };
  }
}

/** The traffic history the status page draws, and since when and how often it was sampled. */
export interface TrafficRecording {
  history: TrafficHistory;
  startedAt: number;
  intervalMs: number;
}

/**
 * Samples the app's metrics into a history every `intervalMs` from now on. Started with the
 * app, not with the status page's routes (which load on their first request): the page shows
 * the traffic since start whenever it is first opened.
 */
export function recordTraffic(metrics: Metrics, intervalMs = 2000): TrafficRecording {
  const history = new TrafficHistory(metrics);
  const sample = () => void history.sample().catch(() => undefined);
  sample();
  // unref: the sampler never keeps a stopping process alive.
  setInterval(sample, intervalMs).unref();
  return { history, startedAt: Date.now(), intervalMs };
}
