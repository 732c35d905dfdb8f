import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Backend } from '../backends/backend.js';
import { selfCheckOf, type ModelConfig } from '../config/schema.js';
import { recordTable } from '../features/record-table.js';
import { recordsToTensors } from '../features/records-to-tensors.js';
import { flattenNested } from '../tensor/flatten-nested.js';
import { allocate, type NamedTensors, type Signature } from '../tensor/tensor.js';
import { answerRows, compareRow, jsonRows, outputKinds, type Row } from './compare-outputs.js';

/**
 * The self-check at load: a version folder may carry `reference.json`, the answers its
 * exporter computed (the training library's own predict / predict_proba) for some inputs.
 * The runtime runs those inputs through the version it just loaded — the same feature
 * stage a request goes through, hooks excluded — and refuses the version when an answer
 * is outside the tolerance. This is what catches training/serving skew that no crash
 * reveals: a re-export with a scaler off by 1 % loads and runs, and answers wrong.
 */
export const REFERENCE_FILE = 'reference.json';

export interface Reference {
  /** Records as a caller sends them (fed through the model's field mapping). */
  records?: Record<string, unknown>[];
  /** Or tensors: input name → nested lists, first dimension the rows. */
  inputs?: Record<string, unknown>;
  /** Output name → one value (or nested list) per row. */
  outputs: Record<string, unknown[]>;
}

export type SelfCheckOutcome = { kind: 'passed'; rows: number } | { kind: 'skipped'; warning: string };

export class SelfCheckFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelfCheckFailed';
  }
}

async function readReference(versionDir: string): Promise<Reference | undefined> {
  let text: string;
  try {
    text = await readFile(join(versionDir, REFERENCE_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let reference: Reference;
  try {
    reference = JSON.parse(text) as Reference;
  } catch (err) {
    throw new SelfCheckFailed(`${REFERENCE_FILE} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof reference !== 'object' || reference === null || typeof reference.outputs !== 'object' || reference.outputs === null) {
    throw new SelfCheckFailed(`${REFERENCE_FILE} has no "outputs" object`);
  }
  if (!Array.isArray(reference.records) && (typeof reference.inputs !== 'object' || reference.inputs === null)) {
    throw new SelfCheckFailed(`${REFERENCE_FILE} has neither "records" (a list) nor "inputs" (tensors by name)`);
  }
  return reference;
}

/** Nested lists → a tensor of the input's dtype; the shape is read from the nesting. */
function tensorsFrom(inputs: Record<string, unknown>, signature: Signature, from: number, to: number): NamedTensors {
  const out: NamedTensors = {};
  for (const spec of signature.inputs) {
    const rows = inputs[spec.name];
    if (!Array.isArray(rows)) throw new SelfCheckFailed(`${REFERENCE_FILE}: inputs."${spec.name}" is missing or not a list`);
    const slice = rows.slice(from, to);
    const shape: number[] = [];
    for (let level: unknown = slice; Array.isArray(level); level = level[0]) shape.push(level.length);
    const values = flattenNested(slice, 32) ?? [];
    const data = allocate(spec.dtype, values.length);
    values.forEach((v, i) => ((data as unknown[])[i] = spec.dtype === 'int64' || spec.dtype === 'uint64' ? BigInt(v as number) : v === null ? NaN : v));
    out[spec.name] = { dtype: spec.dtype, shape, data };
  }
  return out;
}

/** A fixed batch dimension (e.g. [1, 28, 28]) limits how many rows go in one run. */
function chunkSize(signature: Signature): number {
  const fixed = signature.inputs.map((s) => s.shape?.[0] ?? -1).find((d) => d > 0);
  return fixed ?? 256;
}

const show = (row: Row | undefined) => JSON.stringify(row && row.length === 1 ? row[0] : row);

/**
 * Runs the references through `backend`. Resolves with what was checked, or with a warning
 * when there is nothing to check; throws SelfCheckFailed naming the first differing row.
 */
export async function selfCheck(backend: Backend, config: ModelConfig, versionDir: string): Promise<SelfCheckOutcome> {
  const settings = selfCheckOf(config);
  if (!settings.enabled) return { kind: 'skipped', warning: 'self-check disabled in model.json (selfCheck.enabled: false)' };
  const reference = await readReference(versionDir);
  if (!reference) return { kind: 'skipped', warning: `no ${REFERENCE_FILE} in the version folder: loaded without a self-check` };

  const total = Math.min(reference.records?.length ?? (Object.values(reference.inputs!)[0] as unknown[] | undefined)?.length ?? 0, settings.maxRecords);
  const kinds = outputKinds(config, backend.signature);
  const expected = Object.fromEntries(Object.entries(reference.outputs).filter(([name]) => kinds.has(name)).map(([name, rows]) => [name, jsonRows(rows.slice(0, total))]));
  if (Object.keys(expected).length === 0) {
    throw new SelfCheckFailed(`${REFERENCE_FILE} has no outputs of this version (it has ${Object.keys(reference.outputs).join(', ') || 'none'}; the model has ${[...kinds.keys()].join(', ')})`);
  }
  for (const [name, rows] of Object.entries(expected)) {
    if (rows.length !== total) throw new SelfCheckFailed(`${REFERENCE_FILE}: outputs."${name}" has ${rows.length} rows for ${total} inputs`);
  }

  const got: Record<string, Row[]> = {};
  const step = chunkSize(backend.signature);
  for (let from = 0; from < total; from += step) {
    const to = Math.min(total, from + step);
    let inputs: NamedTensors;
    try {
      inputs = reference.records
        ? recordsToTensors(recordTable(reference.records.slice(from, to)), backend.signature, config.inputs)
        : tensorsFrom(reference.inputs!, backend.signature, from, to);
    } catch (err) {
      // Records the model's field mapping cannot read: the references do not fit this model.
      throw new SelfCheckFailed(`${REFERENCE_FILE} cannot be fed to this version (rows ${from}–${to - 1}): ${(err as Error).message}`);
    }
    const answer = answerRows(await backend.run(inputs, Object.keys(expected)));
    for (const [name, rows] of Object.entries(answer)) (got[name] ??= []).push(...rows);
  }

  let differing = 0;
  let first: { row: number; output: string } | undefined;
  for (let row = 0; row < total; row++) {
    const diff = compareRow(kinds, expected, got, row, settings.tolerance);
    if (diff.output === undefined) continue;
    differing++;
    first ??= { row, output: diff.output };
  }
  if (first) {
    const input = reference.records ? JSON.stringify(reference.records[first.row]) : `row ${first.row} of inputs`;
    const tolerance = kinds.get(first.output) === 'label' ? 'labels must be equal' : `tolerance ${settings.tolerance}`;
    throw new SelfCheckFailed(
      `self-check failed: ${differing} of ${total} reference records differ (${tolerance}); first: record ${first.row} ${input}: ` +
        `output "${first.output}" expected ${show(expected[first.output]![first.row])}, got ${show(got[first.output]?.[first.row])}`,
    );
  }
  return { kind: 'passed', rows: total };
}
