import type { Logger } from 'pino';
import { invalidArgument } from '../../errors.js';
import { recordTable } from '../../features/record-table.js';
import { runInference } from '../../inference/run-inference.js';
import type { ServedModel } from '../../inference/served-model.js';
import type { Servable } from '../../repository/servable.js';
import type { Metrics } from '../../dataplane/metrics.js';
import { rowValue } from '../shared/tensor-json.js';
import { formatTfNumber } from './response.js';

interface PipelineDeps {
  requestId: string;
  log: Logger;
  metrics: Metrics;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A tf.Example feature is a value or a list of values; a one-element list is that value. */
function featureValue(method: string, feature: string, value: unknown): unknown {
  const unwrap = (v: unknown) => (isObject(v) && typeof v['b64'] === 'string' ? Buffer.from(v['b64'], 'base64').toString('utf8') : v);
  if (!Array.isArray(value)) return unwrap(value);
  if (value.length !== 1) throw invalidArgument(`${method}: feature "${feature}" has ${value.length} values; this model takes one per example`);
  return unwrap(value[0]);
}

function examplesOf(method: string, body: Record<string, unknown>): Record<string, unknown>[] {
  const { examples, context } = body;
  if (examples === undefined) throw invalidArgument(`When method is ${method}, key 'examples' is expected and was not found`);
  if (!Array.isArray(examples)) throw invalidArgument("'examples' must be an array");
  if (examples.length === 0) throw invalidArgument("'examples' value is an empty array");
  if (context !== undefined && !isObject(context)) throw invalidArgument("'context' must be an object");
  return examples.map((example, i) => {
    if (!isObject(example)) throw invalidArgument(`examples[${i}] must be an object of features`);
    const record: Record<string, unknown> = {};
    for (const [k, v] of Object.entries({ ...context, ...example })) record[k] = featureValue(method, k, v);
    return record;
  });
}

/**
 * :classify and :regress take tf.Example-style feature maps, which are records, so they go
 * through the feature stage like /get_score. Classify needs a probabilities output with
 * class names in the config; regress a single-value output.
 */
export async function classifyOrRegress(
  method: 'classify' | 'regress',
  body: unknown,
  model: ServedModel,
  servable: Servable,
  deps: PipelineDeps,
): Promise<string> {
  const outputs = model.config.outputs ?? [];
  const target =
    method === 'classify'
      ? outputs.find((o) => o.role === 'probabilities' && o.classes)
      : (outputs.find((o) => o.role === 'score' || o.role === 'value') ?? (servable.signature.outputs.length === 1 ? { name: servable.signature.outputs[0]!.name } : undefined));
  if (!target) {
    throw invalidArgument(
      method === 'classify'
        ? `model ${model.name} has no probabilities output with classes in its config, which :classify needs`
        : `model ${model.name} has no score or value output in its config, which :regress needs`,
    );
  }
  const table = recordTable(examplesOf(method, body as Record<string, unknown>));
  const result = await runInference(model, servable, { kind: 'records', table }, { protocol: 'tfserving', ...deps, outputs: [target.name] });
  const tensor = result[target.name]!;
  const rows = tensor.shape[0] ?? 0;
  const items: string[] = [];
  for (let row = 0; row < rows; row++) {
    const value = rowValue(tensor, row);
    if (method === 'classify') {
      const classes = (target as { classes?: string[] }).classes!;
      const scores = Array.isArray(value) ? value : [value];
      items.push(`[${classes.map((c, i) => `[${JSON.stringify(c)}, ${formatTfNumber(Number(scores[i]), tensor.dtype)}]`).join(', ')}]`);
    } else {
      if (Array.isArray(value)) throw invalidArgument(`output "${target.name}" has several values per example; :regress needs one`);
      items.push(formatTfNumber(Number(value), tensor.dtype));
    }
  }
  return `{"results": [${items.join(', ')}]}`;
}
