import pino, { type Logger } from 'pino';
import { loadBackend } from '../backends/load-backend.js';
import type { Backend } from '../backends/backend.js';
import { withTransformer } from '../backends/with-transformer.js';
import type { ModelConfig } from '../config/schema.js';
import type { RecordedRequest } from '../dataplane/recorder.js';
import { recordTable } from '../features/record-table.js';
import { recordsToTensors } from '../features/records-to-tensors.js';
import { answerRows, compareRow, outputKinds, rowCount, type Row } from '../repository/compare-outputs.js';
import { Servable } from '../repository/servable.js';
import type { DType, NamedTensors, TensorData } from '../tensor/tensor.js';
import { allocate, isBigIntDType } from '../tensor/tensor.js';

/**
 * Replay: recorded requests (dataplane/recorder.ts) run in process against the current
 * version and a candidate, each through the same feature stage a request takes (hooks
 * excluded), and the answers compared row by row (compare-outputs.ts). The report is what
 * `npm run replay` writes and what the promotion gate judges (tools/ci/replay-gate.ts).
 */
export interface ReplaySide {
  /** How the report names it: "2", or a path. */
  name: string;
  versionDir: string;
  version: number;
}

export interface ReplayOptions {
  config: ModelConfig;
  current: ReplaySide;
  candidate: ReplaySide;
  requests: readonly RecordedRequest[];
  /** Default: silent. */
  logger?: Logger;
  /** How many of the most changed rows the report lists. */
  top?: number;
}

export interface LatencySummary {
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
}

export interface ChangedRow {
  request: number;
  row: number;
  record?: Record<string, unknown>;
  labelFlip: boolean;
  maxAbsDelta: number;
  current: Record<string, Row>;
  candidate: Record<string, Row>;
}

export interface ReplayReport {
  model: string;
  current: string;
  candidate: string;
  requests: number;
  rows: number;
  labelFlips: number;
  labelFlipRate: number;
  /** Per row, the largest |Δ| over its number outputs; these summarise that. */
  meanAbsDelta: number;
  maxAbsDelta: number;
  quantiles: { p50: number; p90: number; p99: number };
  /** How many rows' |Δ| fall at or under each bound (not cumulative: one bucket each). */
  distribution: { le: number | 'inf'; rows: number }[];
  mostChanged: ChangedRow[];
  latency: { current: LatencySummary; candidate: LatencySummary };
  /** Requests that one side could not answer (both are counted out of the rows). */
  failures: { request: number; side: 'current' | 'candidate' | 'both'; error: string }[];
}

const BOUNDS = [0, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.05, 0.1, 0.25, 0.5, 1];

async function load(side: ReplaySide, config: ModelConfig, logger: Logger): Promise<Servable> {
  const options = { versionDir: side.versionDir, modelName: config.name, version: side.version, logger };
  const model = await loadBackend(options, config);
  let backend: Backend = model;
  if (config.transformer) {
    const transformer = await loadBackend(options, { ...config, backend: 'onnx', artifact: config.transformer.artifact });
    backend = withTransformer(transformer, model);
  }
  // No batcher: replay runs one request at a time and times each.
  return new Servable(side.version, backend);
}

function tensorsOf(request: RecordedRequest): NamedTensors {
  const out: NamedTensors = {};
  for (const [name, t] of Object.entries(request.inputs ?? {})) {
    const dtype = t.datatype as DType;
    const data: TensorData = allocate(dtype, t.data.length);
    t.data.forEach((v, i) => ((data as unknown[])[i] = isBigIntDType(dtype) ? BigInt(v as number) : v === null ? NaN : v));
    out[name] = { dtype, shape: t.shape, data };
  }
  return out;
}

/** The request's input for one side (each side gets its own buffers: a run may move them). */
function inputFor(request: RecordedRequest, servable: Servable, config: ModelConfig): NamedTensors {
  if (request.records) return recordsToTensors(recordTable(request.records), servable.signature, config.inputs);
  return tensorsOf(request);
}

async function timed(servable: Servable, request: RecordedRequest, config: ModelConfig): Promise<{ rows: Record<string, Row[]>; ms: number }> {
  const started = performance.now();
  const outputs = await servable.infer(inputFor(request, servable, config));
  return { rows: answerRows(outputs), ms: performance.now() - started };
}

const quantile = (sorted: readonly number[], q: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);

function latency(ms: number[]): LatencySummary {
  const sorted = [...ms].sort((a, b) => a - b);
  const round = (x: number) => Number(x.toFixed(3));
  return { meanMs: round(ms.reduce((a, b) => a + b, 0) / (ms.length || 1)), p50Ms: round(quantile(sorted, 0.5)), p95Ms: round(quantile(sorted, 0.95)) };
}

export async function replay(options: ReplayOptions): Promise<ReplayReport> {
  const { config, requests } = options;
  const logger = options.logger ?? pino({ level: 'silent' });
  const current = await load(options.current, config, logger);
  let candidate: Servable | undefined;
  try {
    candidate = await load(options.candidate, config, logger);
    const kinds = outputKinds(config, current.signature);
    const deltas: number[] = [];
    const changed: ChangedRow[] = [];
    const failures: ReplayReport['failures'] = [];
    const ms = { current: [] as number[], candidate: [] as number[] };
    let flips = 0;
    for (let i = 0; i < requests.length; i++) {
      const request = requests[i]!;
      const [a, b] = await Promise.allSettled([timed(current, request, config), timed(candidate, request, config)]);
      if (a.status === 'rejected' || b.status === 'rejected') {
        const side = a.status === 'rejected' && b.status === 'rejected' ? 'both' : a.status === 'rejected' ? 'current' : 'candidate';
        failures.push({ request: i, side, error: ((a.status === 'rejected' ? a.reason : (b as PromiseRejectedResult).reason) as Error).message });
        continue;
      }
      ms.current.push(a.value.ms);
      ms.candidate.push(b.value.ms);
      for (let row = 0; row < rowCount(a.value.rows); row++) {
        const diff = compareRow(kinds, a.value.rows, b.value.rows, row);
        if (diff.labelFlip) flips++;
        deltas.push(diff.maxAbsDelta);
        if (diff.labelFlip || diff.maxAbsDelta > 0) {
          const pick = (rows: Record<string, Row[]>) => Object.fromEntries(Object.entries(rows).map(([n, r]) => [n, r[row]!]));
          changed.push({ request: i, row, ...(request.records && { record: request.records[row] }), labelFlip: diff.labelFlip, maxAbsDelta: diff.maxAbsDelta, current: pick(a.value.rows), candidate: pick(b.value.rows) });
        }
      }
    }
    const sorted = [...deltas].sort((x, y) => x - y);
    const distribution = [...BOUNDS, Infinity].map((le, j, all) => ({
      le: le === Infinity ? ('inf' as const) : le,
      rows: deltas.filter((d) => d <= le && (j === 0 || d > all[j - 1]!)).length,
    }));
    // Flips first, then by |Δ|: the rows a reviewer should read.
    changed.sort((x, y) => Number(y.labelFlip) - Number(x.labelFlip) || y.maxAbsDelta - x.maxAbsDelta);
    return {
      model: config.name,
      current: options.current.name,
      candidate: options.candidate.name,
      requests: requests.length,
      rows: deltas.length,
      labelFlips: flips,
      labelFlipRate: deltas.length ? flips / deltas.length : 0,
      meanAbsDelta: deltas.length ? deltas.reduce((s, d) => s + d, 0) / deltas.length : 0,
      maxAbsDelta: sorted.at(-1) ?? 0,
      quantiles: { p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99) },
      distribution,
      mostChanged: changed.slice(0, options.top ?? 10),
      latency: { current: latency(ms.current), candidate: latency(ms.candidate) },
      failures,
    };
  } finally {
    await current.unload();
    await candidate?.unload();
  }
}

/** A recording (JSON lines) → requests; a broken line is named by its number. */
export function parseRecording(text: string, file = 'requests'): RecordedRequest[] {
  const requests: RecordedRequest[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let entry: RecordedRequest;
    try {
      entry = JSON.parse(line) as RecordedRequest;
    } catch (err) {
      throw new Error(`${file}:${i + 1}: not JSON (${(err as Error).message})`);
    }
    if (!Array.isArray(entry.records) && (typeof entry.inputs !== 'object' || entry.inputs === null)) throw new Error(`${file}:${i + 1}: neither "records" nor "inputs"`);
    requests.push(entry);
  });
  return requests;
}
