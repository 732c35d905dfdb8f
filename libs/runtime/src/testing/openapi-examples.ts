import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { WORKSPACE_MODELS } from './fixtures.js';

/**
 * Sends every request example of an app's /openapi.json, exactly as written (path
 * parameters from their own `example`), and compares each answer with the model's
 * reference prediction for the record the example was built from.
 */

/** The parts of an OpenAPI document this reads; loose so any parsed document fits. */
export type OpenApiLike = { paths: Record<string, Record<string, unknown>> };
interface Operation {
  operationId: string;
  parameters?: { name: string; example?: unknown }[];
  requestBody?: { content: { 'application/json': { examples?: Record<string, { value: unknown; description: string }> } } };
}

export interface ExampleResult {
  operationId: string;
  path: string;
  status: number;
  /** Outputs compared with the reference, and the largest numeric difference seen. */
  compared: string[];
  maxDiff: number;
  mismatches: string[];
}

const flat = (v: unknown): unknown[] => (Array.isArray(v) ? v.flatMap(flat) : v !== null && typeof v === 'object' ? Object.values(v).flatMap(flat) : [v]);

function diff(actual: unknown, expected: unknown): number {
  const a = flat(actual);
  const e = flat(expected);
  if (a.length !== e.length) return Infinity;
  let max = 0;
  e.forEach((x, i) => {
    const y = a[i];
    if (typeof x === 'number' && typeof y === 'number') max = Math.max(max, Math.abs(x - y));
    else if (x !== y) max = Infinity;
  });
  return max;
}

interface Ref {
  records: Record<string, unknown>[];
  outputs: Record<string, unknown[]>;
}

async function reference(model: string, version: number): Promise<Ref> {
  return JSON.parse(await readFile(join(WORKSPACE_MODELS, model, String(version), 'reference.json'), 'utf8')) as Ref;
}

/** The version a path addresses: /versions/N, /labels/L (through the model's labels), or the latest. */
function versionOf(path: string, labels: Record<string, number>, latest: number): number {
  const v = /\/versions\/(\d+)/.exec(path);
  if (v) return Number(v[1]);
  const l = /\/labels\/([^/:]+)/.exec(path);
  if (l) return labels[l[1]!]!;
  return latest;
}

/** The model's outputs, by name, from one answer of one route. */
function outputsOf(operationId: string, body: Record<string, unknown>, names: string[], getScoreOutput?: string): Record<string, unknown> {
  if (operationId === 'get_score') {
    const item = (body['data'] as unknown[])[0];
    return getScoreOutput ? { [getScoreOutput]: item } : (item as Record<string, unknown>);
  }
  if (operationId.includes('_tf_predict')) {
    const p = (body['predictions'] as unknown[])[0];
    return names.length === 1 ? { [names[0]!]: p } : (p as Record<string, unknown>);
  }
  if (operationId.includes('_v2_infer')) {
    return Object.fromEntries((body['outputs'] as { name: string; data: unknown[] }[]).map((o) => [o.name, o.data]));
  }
  if (operationId.includes('_tf_classify')) {
    return { probabilities: ((body['results'] as [string, number][][])[0] ?? []).map((pair) => pair[1]) };
  }
  if (operationId.includes('_tf_regress')) return { value: (body['results'] as number[])[0] };
  throw new Error(`no reader for ${operationId}`);
}

export async function sendOpenApiExamples(
  baseUrl: string,
  doc: OpenApiLike,
  model: { name: string; labels: Record<string, number>; latest: number; outputs: { name: string; role?: string }[]; getScoreOutput?: string },
  tolerance = 1e-4,
): Promise<ExampleResult[]> {
  const results: ExampleResult[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const op = operation as Operation;
      const example = op.requestBody?.content['application/json'].examples?.['reference'];
      if (!example) continue;
      let path = template;
      for (const p of op.parameters ?? []) path = path.replace(`{${p.name}}`, encodeURIComponent(String(p.example)));
      const res = await fetch(baseUrl + path, { method: method.toUpperCase(), headers: { 'content-type': 'application/json' }, body: JSON.stringify(example.value) });
      const body = (await res.json()) as Record<string, unknown>;
      const result: ExampleResult = { operationId: op.operationId, path, status: res.status, compared: [], maxDiff: 0, mismatches: [] };
      results.push(result);
      if (res.status !== 200) {
        result.mismatches.push(`status ${res.status}: ${JSON.stringify(body)}`);
        continue;
      }
      const index = Number(/record (\d+) of/.exec(example.description)?.[1]);
      const version = versionOf(path, model.labels, model.latest);
      const ref = await reference(model.name, version);
      // A records example must hold that very record of the version's reference.
      const value = example.value as { data?: unknown[]; examples?: unknown[] };
      const record = value.data?.[0] ?? value.examples?.[0];
      if (record !== undefined && !isDeepStrictEqual(record, ref.records[index])) {
        result.mismatches.push(`the example's record is not record ${index} of version ${version}'s reference`);
      }
      const got = outputsOf(op.operationId, body, model.outputs.map((o) => o.name), model.getScoreOutput);
      const probabilities = model.outputs.find((o) => o.role === 'probabilities')?.name;
      const regressed = model.outputs.find((o) => o.role === 'value' || o.role === 'score')?.name ?? model.outputs[0]?.name;
      for (const [name, actual] of Object.entries(got)) {
        const refName = name === 'probabilities' && op.operationId.includes('_tf_classify') ? probabilities : name === 'value' ? regressed : name;
        const expected = refName ? ref.outputs[refName]?.[index] : undefined;
        if (expected === undefined) continue;
        const d = diff(actual, expected);
        result.compared.push(refName!);
        result.maxDiff = Math.max(result.maxDiff, d);
        if (!(d <= tolerance)) result.mismatches.push(`${refName}: got ${JSON.stringify(actual)}, reference ${JSON.stringify(expected)}`);
      }
      if (result.compared.length === 0) result.mismatches.push('no output could be compared with the reference');
    }
  }
  return results;
}
