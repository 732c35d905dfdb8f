import type { OutputConfig } from '../../config/schema.js';
import { invalidArgument } from '../../errors.js';
import type { NamedTensors } from '../../tensor/tensor.js';
import { Checkpoints, type Steps } from '../../threads/time-slices.js';
import { joinPieces, type Pieces } from '../shared/answer-stream.js';
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
  const checkpoints = new Checkpoints();
  let chunk: unknown[] = [];
  let open = '{"msg":"Successful!","code":200,"data":[';
  for (let row = 0; row < rows; row++) {
    chunk.push(entry(row));
    if (checkpoints.due(rowSize || 1)) {
      // An array's JSON without its brackets is its elements' JSON joined by commas.
      yield open + JSON.stringify(chunk).slice(1, -1);
      open = ',';
      chunk = [];
      yield;
    }
  }
  yield (chunk.length > 0 ? open + JSON.stringify(chunk).slice(1, -1) : open === ',' ? '' : open) + ']}';
}
