import type { OutputConfig } from '../../config/schema.js';
import { invalidArgument } from '../../errors.js';
import type { NamedTensors } from '../../tensor/tensor.js';
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
  const names = only ? [only] : Object.keys(outputs);
  // Rows come from the outputs, not the request: a preprocess hook may add or drop records.
  const rows = outputs[names[0]!]?.shape[0] ?? 0;
  for (const name of names) {
    const t = outputs[name];
    if (!t) throw invalidArgument(`the model has no output "${name}"`);
    if (t.shape[0] !== rows) throw new Error(`output "${name}" has ${t.shape[0]} rows, "${names[0]}" has ${rows}`);
  }
  return Array.from({ length: rows }, (_, row) => {
    if (only) return present(rowValue(outputs[only]!, row), configs.find((c) => c.name === only));
    const entry: Record<string, unknown> = {};
    for (const name of names) entry[name] = present(rowValue(outputs[name]!, row), configs.find((c) => c.name === name));
    return entry;
  });
}
