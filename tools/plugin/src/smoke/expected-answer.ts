/**
 * What the smoke test expects from POST /get_score, from the model's own data:
 * models/<model>/sample.json (`{"request", "response"}`) when the model has one,
 * else the latest version's reference.json (training-time records and outputs).
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export const TOLERANCE = 1e-5;

export interface SmokeCase {
  source: string;
  request: unknown;
  /** Throws, naming the first difference, when the answer is not the expected one. */
  check(answer: unknown): void;
}

type Leaf = number | string | boolean | null;

/** Every scalar in a JSON value, depth first, object values in key order. */
export function leaves(value: unknown): Leaf[] {
  if (Array.isArray(value)) return value.flatMap(leaves);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(leaves);
  return [value as Leaf];
}

/** Same structure and scalars, numbers within TOLERANCE; names the path of the first difference. */
export function assertClose(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (!(Math.abs(actual - expected) <= TOLERANCE)) throw new Error(`${path}: ${actual} differs from ${expected} by more than ${TOLERANCE}`);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) throw new Error(`${path}: expected an array of ${expected.length}, got ${JSON.stringify(actual)?.slice(0, 200)}`);
    expected.forEach((e, i) => assertClose(actual[i], e, `${path}[${i}]`));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) throw new Error(`${path}: expected an object, got ${JSON.stringify(actual)?.slice(0, 200)}`);
    const keys = Object.keys(expected);
    const extra = Object.keys(actual).filter((k) => !keys.includes(k));
    if (extra.length > 0) throw new Error(`${path}: unexpected keys ${extra.join(', ')}`);
    for (const k of keys) assertClose((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${path}.${k}`);
    return;
  }
  if (actual !== expected) throw new Error(`${path}: ${JSON.stringify(actual)} is not ${JSON.stringify(expected)}`);
}

/** The scalars of one record's answer against the reference's, in order. */
export function assertLeavesClose(actual: unknown, expected: unknown, path: string): void {
  assertClose(leaves(actual), leaves(expected), path);
}

export function latestVersion(modelDir: string): number {
  const versions = readdirSync(modelDir).filter((d) => /^[1-9]\d*$/.test(d)).map(Number).sort((a, b) => a - b);
  if (versions.length === 0) throw new Error(`${modelDir} has no version folder`);
  return versions[versions.length - 1]!;
}

interface Reference {
  records: unknown[];
  outputs: Record<string, unknown[]>;
}

/**
 * The reference check: /get_score answers `data[i]` per record. With `getScore.output` set,
 * data[i] is that output; otherwise it is an object keyed by output name. Either way the
 * scalars must equal the reference's (labels exactly, numbers within TOLERANCE).
 */
export function referenceCase(modelDir: string, config: { getScore?: { output?: string } }): SmokeCase {
  const version = latestVersion(modelDir);
  const file = join(modelDir, String(version), 'reference.json');
  if (!existsSync(file)) throw new Error(`${file} does not exist: add models/<model>/sample.json or a reference.json to the latest version, so the smoke test can check the model's answers`);
  const ref = JSON.parse(readFileSync(file, 'utf8')) as Reference;
  const only = config.getScore?.output;
  return {
    source: file,
    request: { data: ref.records },
    check(answer) {
      const data = (answer as { data?: unknown[] }).data;
      if (!Array.isArray(data) || data.length !== ref.records.length) throw new Error(`expected data with ${ref.records.length} answers, got ${JSON.stringify(answer).slice(0, 200)}`);
      data.forEach((row, i) => {
        if (only !== undefined) return assertLeavesClose(row, ref.outputs[only]![i], `data[${i}]`);
        const names = Object.keys(ref.outputs).filter((n) => row !== null && typeof row === 'object' && n in row);
        if (names.length === 0) throw new Error(`data[${i}] names none of the reference outputs (${Object.keys(ref.outputs).join(', ')})`);
        for (const n of names) assertLeavesClose((row as Record<string, unknown>)[n], ref.outputs[n]![i], `data[${i}].${n}`);
      });
    },
  };
}

/** The sample check: the answer is the recorded response (numbers within TOLERANCE). */
export function sampleCase(file: string): SmokeCase {
  const sample = JSON.parse(readFileSync(file, 'utf8')) as { request?: unknown; response?: unknown };
  if (sample.request === undefined || sample.response === undefined) throw new Error(`${file} must hold {"request": <body for POST /get_score>, "response": <the expected answer>}`);
  return { source: file, request: sample.request, check: (answer) => assertClose(answer, sample.response) };
}

export function smokeCase(modelDir: string): SmokeCase {
  const sample = join(modelDir, 'sample.json');
  if (existsSync(sample)) return sampleCase(sample);
  return referenceCase(modelDir, JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')));
}
