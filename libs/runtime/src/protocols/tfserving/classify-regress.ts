import type { Logger } from 'pino';
import { invalidArgument } from '../../errors.js';
import { recordTable } from '../../features/record-table.js';
import { runInference } from '../../inference/run-inference.js';
import type { ServedModel } from '../../inference/served-model.js';
import type { Servable } from '../../repository/servable.js';
import type { Metrics } from '../../dataplane/metrics.js';
import { rowValue } from '../shared/tensor-json.js';
import { JsonNumber, type JsonValue } from './json-parse.js';
import { readSignatureName } from './request.js';
import { formatTfNumber } from './response.js';

interface PipelineDeps {
  requestId: string;
  log: Logger;
  metrics: Metrics;
}

type JsonObject = { [key: string]: JsonValue };

const isObject = (v: JsonValue | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);
const isB64 = (v: JsonValue): v is { b64: string } => isObject(v) && Object.keys(v).length === 1 && typeof v['b64'] === 'string';

/** RapidJSON's names for JSON types, which TF Serving's messages quote. */
function jsonType(v: JsonValue): string {
  if (v === null) return 'Null';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (Array.isArray(v)) return 'Array';
  if (typeof v === 'string') return 'String';
  if (typeof v === 'number' || v instanceof JsonNumber) return 'Number';
  return 'Object';
}

/** Compact JSON of a parsed body for error texts; numbers as written, NaN/Infinity as tokens. */
function jsonText(v: JsonValue): string {
  if (v instanceof JsonNumber) return v.text;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `[${v.map(jsonText).join(',')}]`;
  if (isObject(v)) return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`).join(',')}}`;
  return JSON.stringify(v);
}

type FeatureKind = 'bytes' | 'float' | 'int64';
const INT64_MAX = 2n ** 63n - 1n;

/**
 * One element of a tf.Example feature, with the kind TF Serving gives it: strings and b64
 * objects are bytes, numbers written with a point or exponent (and NaN/Infinity) float,
 * integer literals and booleans int64. The lexical form needs the lossless parse; a
 * plain JS number (fast parse) falls back to "integral value → int64".
 */
function featureElement(feature: string, v: JsonValue): { kind: FeatureKind; value: string | number } {
  if (v === null || Array.isArray(v) || (isObject(v) && !isB64(v))) {
    throw invalidArgument(`Feature: ${feature} has element with unexpected JSON type: ${jsonType(v)}`);
  }
  if (typeof v === 'boolean') return { kind: 'int64', value: v ? 1 : 0 };
  if (typeof v === 'string') return { kind: 'bytes', value: v };
  if (isObject(v)) return { kind: 'bytes', value: Buffer.from(v['b64'] as string, 'base64').toString('utf8') };
  if (v instanceof JsonNumber) {
    if (!v.isIntegerLiteral) return { kind: 'float', value: v.toNumber() };
    if (BigInt(v.text) > INT64_MAX) throw invalidArgument(`Feature: ${feature} has uint64 element. Only int64 is supported.`);
    return { kind: 'int64', value: v.toNumber() };
  }
  return { kind: Number.isInteger(v) ? 'int64' : 'float', value: v };
}

/**
 * A feature's values → the record value the feature stage takes: one element is that value,
 * an empty list a missing value (null). Several values cannot feed a one-column input.
 */
function featureValue(feature: string, content: JsonValue): string | number | null {
  const elements = Array.isArray(content) ? content : [content];
  let kind: FeatureKind | undefined;
  const values = elements.map((e) => {
    const element = featureElement(feature, e);
    if (kind !== undefined && element.kind !== kind) throw invalidArgument(`Unexpected element type in feature: ${feature} expecting type: ${kind}`);
    kind = element.kind;
    return element.value;
  });
  if (values.length > 1) throw invalidArgument(`Feature: ${feature} has ${values.length} values; this model takes one per example`);
  return values[0] ?? null;
}

function exampleRecord(example: JsonValue): Record<string, string | number | null> {
  if (!isObject(example)) throw invalidArgument(`Example must be JSON object but got JSON ${jsonType(example)}`);
  const record: Record<string, string | number | null> = {};
  for (const [feature, content] of Object.entries(example)) record[feature] = featureValue(feature, content);
  return record;
}

/**
 * The body in TF Serving's parse order (json_tensor.cc): context, then examples; its
 * messages say "classify" for :regress too, and so do these. Context features are merged
 * into every example (an example's own feature wins), which is what a model reading
 * example_list_with_context sees.
 */
export function readExamples(body: JsonValue): Record<string, string | number | null>[] {
  const doc = body as JsonObject;
  const context = doc['context'] !== undefined ? exampleRecord(doc['context']) : undefined;
  const examples = doc['examples'];
  const formatError = (message: string) => invalidArgument(`JSON Value: ${jsonText(body)} ${message}`);
  if (examples === undefined) throw formatError("When method is classify, key 'examples' is expected and was not found");
  if (!Array.isArray(examples)) throw formatError("Expecting 'examples' value to be an list/array");
  if (examples.length === 0) throw formatError("'examples' value is an empty array");
  return examples.map((example) => {
    const record = exampleRecord(example);
    return context ? { ...context, ...record } : record;
  });
}

const SERVING_DEFAULT = 'serving_default';

/**
 * :classify and :regress take tf.Example-style feature maps, which are records, so they go
 * through the feature stage like /get_score. Classify needs a probabilities output with
 * class names in the config; regress a single-value output. Order as in TF Serving: the
 * body is read first, then the signature is looked up (with the classifier's own text).
 */
export async function classifyOrRegress(
  method: 'classify' | 'regress',
  body: unknown,
  model: ServedModel,
  servable: Servable,
  deps: PipelineDeps,
  /** readExamples(body), when the caller has read them already. */
  examples?: Record<string, string | number | null>[],
): Promise<string> {
  const records = examples ?? readExamples(body as JsonValue);
  const signatureName = readSignatureName(body as JsonValue);
  if (signatureName !== SERVING_DEFAULT) throw invalidArgument(`No signature was found with the name: ${signatureName}`);
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
  const table = recordTable(records);
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
