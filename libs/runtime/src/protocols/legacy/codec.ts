import type { OutputConfig } from '../../config/schema.js';
import { invalidArgument } from '../../errors.js';
import { valueAt, type NamedTensors, type Tensor } from '../../tensor/tensor.js';
import type { Steps } from '../../threads/time-slices.js';
import { joinPieces, listPieces, type Pieces } from '../shared/answer-stream.js';
import { rowValue, type JsonNested } from '../shared/tensor-json.js';

/** The body the old Flask services took: `{"data": <records or columns>}`. */
export function readScoreRequest(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !('data' in body)) {
    throw invalidArgument('the request body must be a JSON object with a "data" field holding the records');
  }
  return (body as { data: unknown }).data;
}

/** A probabilities row with class names reads best as {class: probability}. */
function present(value: JsonNested, config: OutputConfig | undefined): unknown {
  if (config?.role === 'probabilities' && config.classes && Array.isArray(value) && value.length === config.classes.length) {
    return Object.fromEntries(config.classes.map((c, i) => [c, value[i]]));
  }
  return value;
}

/**
 * One entry per record. With `only` (the config's getScore.output), the entry is that
 * output's value — the plain score list old callers expect; otherwise {output: value}.
 */
export function encodeScores(outputs: NamedTensors, configs: readonly OutputConfig[], only?: string): unknown[] {
  const { rows, entry } = scoreEntries(outputs, configs, only);
  return Array.from({ length: rows }, (_, row) => entry(row));
}

function scoreEntries(outputs: NamedTensors, configs: readonly OutputConfig[], only?: string) {
  const names = only ? [only] : Object.keys(outputs);
  // Rows come from the outputs, not the request: a preprocess hook may add or drop records.
  const rows = outputs[names[0]!]?.shape[0] ?? 0;
  for (const name of names) {
    const t = outputs[name];
    if (!t) throw invalidArgument(`the model has no output "${name}"`);
    if (t.shape[0] !== rows) throw new Error(`output "${name}" has ${t.shape[0]} rows, "${names[0]}" has ${rows}`);
  }
  const columns = names.map((name) => ({ name, t: outputs[name]!, config: configs.find((c) => c.name === name) }));
  const entry = (row: number): unknown => {
    if (only) return present(rowValue(columns[0]!.t, row), columns[0]!.config);
    const out: Record<string, unknown> = {};
    for (const c of columns) out[c.name] = present(rowValue(c.t, row), c.config);
    return out;
  };
  const rowSize = columns.reduce((a, c) => a + (rows ? c.t.data.length / rows : 0), 0);
  return { rows, entry, rowSize };
}

/**
 * The whole success reply, `{"msg": "Successful!", "code": 200, "data": [...]}` exactly as
 * JSON.stringify writes it, built a chunk of records at a time with a checkpoint after
 * each, so a large answer is written in time slices (threads/time-slices.ts).
 */
export function scoreReplySteps(outputs: NamedTensors, configs: readonly OutputConfig[], only?: string): Steps<string> {
  return joinPieces(scoreReplyPieces(outputs, configs, only));
}

/** scoreReplySteps as pieces of text, for a large answer written as it is made (answer-stream.ts). */
export function* scoreReplyPieces(outputs: NamedTensors, configs: readonly OutputConfig[], only?: string): Pieces {
  const { rows, entry, rowSize } = scoreEntries(outputs, configs, only);
  const text = entryText(outputs, configs, only) ?? ((row: number) => JSON.stringify(entry(row)));
  yield* listPieces('{"msg":"Successful!","code":200,"data":[', ',', ']}', rows, rowSize, text);
}

/** A key JSON.stringify would move: objects list integer-like keys first, in numeric order. */
const INDEX_LIKE = /^(?:0|[1-9]\d*)$/;

/** A JS value of a tensor element as JSON.stringify writes it. */
function scalarText(t: Tensor, i: number): string {
  const v = valueAt(t, i);
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const n = Number(v);
  return Number.isFinite(n) ? String(n) : 'null';
}

/**
 * Each record's entry written straight as text, the same text as JSON.stringify(entry(row))
 * without the objects in between (for a 75,000-record answer, 10^5 objects less to make and
 * collect). Undefined when the layout is one this does not write the same way (nested rows,
 * keys JSON.stringify would reorder or merge): then entries are built and stringified.
 */
function entryText(outputs: NamedTensors, configs: readonly OutputConfig[], only?: string): ((row: number) => string) | undefined {
  const names = only ? [only] : Object.keys(outputs);
  const writers: ((row: number) => string)[] = [];
  for (const name of names) {
    const t = outputs[name]!;
    const inner = t.shape.slice(1);
    const size = inner.reduce((a, b) => a * b, 1);
    const config = configs.find((c) => c.name === name);
    const classes = config?.role === 'probabilities' ? config.classes : undefined;
    if (size === 1) writers.push((row) => scalarText(t, row));
    else if (classes && inner.length === 1 && size === classes.length) {
      if (new Set(classes).size !== classes.length || classes.some((c) => INDEX_LIKE.test(c))) return undefined;
      const keys = classes.map((c) => `${JSON.stringify(c)}:`);
      writers.push((row) => {
        let out = '{';
        for (let k = 0; k < size; k++) out += (k ? ',' : '') + keys[k] + scalarText(t, row * size + k);
        return `${out}}`;
      });
    } else return undefined;
  }
  if (only) return writers[0];
  if (names.some((n) => INDEX_LIKE.test(n))) return undefined;
  const keys = names.map((n) => `${JSON.stringify(n)}:`);
  return (row) => {
    let out = '{';
    for (let k = 0; k < writers.length; k++) out += (k ? ',' : '') + keys[k] + writers[k]!(row);
    return `${out}}`;
  };
}
