import type { ModelConfig } from '../config/schema.js';
import { elementCount, valueAt, type NamedTensors, type Signature, type Tensor } from '../tensor/tensor.js';

/**
 * One way to say how two answers of a model differ, row by row, written once for the
 * self-check (served vs the exporter's references), shadow traffic (shadow vs serving)
 * and replay (candidate vs current): a *label* output must be equal, a *number* output
 * (probabilities, scores, values) differs by its largest |Δ|.
 */
export type OutputKind = 'label' | 'number';

/** Per output: the config's role when it gives one, else by dtype (floats are numbers). */
export function outputKinds(config: Pick<ModelConfig, 'outputs'>, signature: Signature): Map<string, OutputKind> {
  const kinds = new Map<string, OutputKind>();
  for (const spec of signature.outputs) {
    const role = config.outputs?.find((o) => o.name === spec.name)?.role;
    const float = spec.dtype === 'float32' || spec.dtype === 'float64';
    kinds.set(spec.name, role ? (role === 'label' ? 'label' : 'number') : float ? 'number' : 'label');
  }
  return kinds;
}

/** A row's values, flattened; 64-bit ints as numbers so they compare with JSON ones. */
export type Row = (number | string | boolean)[];

const plain = (v: unknown): number | string | boolean => (typeof v === 'bigint' ? Number(v) : (v as number | string | boolean));

/** A tensor's rows (first dimension), each flattened. */
export function tensorRows(t: Tensor): Row[] {
  const n = t.shape.length === 0 ? 1 : t.shape[0]!;
  const per = n === 0 ? 0 : elementCount(t.shape) / n;
  const rows: Row[] = [];
  for (let r = 0; r < n; r++) {
    const row: Row = new Array(per);
    for (let i = 0; i < per; i++) row[i] = plain(valueAt(t, r * per + i));
    rows.push(row);
  }
  return rows;
}

/** JSON rows (a reference's outputs) in the same flat form. */
export function jsonRows(values: readonly unknown[]): Row[] {
  return values.map((v) => (Array.isArray(v) ? (v.flat(Infinity) as unknown[]).map(plain) : [plain(v)]));
}

export const answerRows = (outputs: NamedTensors): Record<string, Row[]> => Object.fromEntries(Object.entries(outputs).map(([name, t]) => [name, tensorRows(t)]));

export interface RowDifference {
  /** A label output differs. */
  labelFlip: boolean;
  /** Largest |Δ| over the number outputs (0 when there are none). */
  maxAbsDelta: number;
  /** The first output that differs, for messages. */
  output?: string;
}

function numberDelta(a: Row, b: Row): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (typeof x !== 'number' || typeof y !== 'number') {
      if (x !== y) return Infinity;
      continue;
    }
    // Both missing is agreement; one missing is the largest possible difference.
    const d = Number.isNaN(x) && Number.isNaN(y) ? 0 : Math.abs(x - y);
    max = Math.max(max, Number.isNaN(d) ? Infinity : d);
  }
  return max;
}

const sameLabels = (a: Row, b: Row) => a.length === b.length && a.every((v, i) => String(v) === String(b[i]));

/**
 * Compares row `row` of two answers over the outputs both have (an answer restricted to
 * some outputs, or a reference without some, is compared on what is there).
 */
export function compareRow(kinds: ReadonlyMap<string, OutputKind>, a: Record<string, Row[]>, b: Record<string, Row[]>, row: number, tolerance = 0): RowDifference {
  const diff: RowDifference = { labelFlip: false, maxAbsDelta: 0 };
  for (const [name, kind] of kinds) {
    const x = a[name]?.[row];
    const y = b[name]?.[row];
    if (!x || !y) continue;
    if (kind === 'label') {
      if (!sameLabels(x, y)) {
        diff.labelFlip = true;
        diff.output ??= name;
      }
    } else {
      const d = numberDelta(x, y);
      if (d > tolerance) diff.output ??= name;
      diff.maxAbsDelta = Math.max(diff.maxAbsDelta, d);
    }
  }
  return diff;
}

/** Rows of an answer (the first output's count). */
export const rowCount = (answer: Record<string, Row[]>): number => Object.values(answer)[0]?.length ?? 0;
