import type { SignatureEntry } from './read-onnx-signature';

/**
 * `--sample`: the records the old callers send, mapped onto the model's inputs by name, so
 * the generated config serves those records unchanged through /get_score. An input takes
 * the sample field of its own name, or, when it packs several columns ([N, k]), the fields
 * the model's metadata (or --columns) lists for it, in that order. Anything that cannot be
 * placed stops the generator with the reason; nothing is guessed.
 */

export type SampleRecord = Record<string, unknown>;
/** Input name → the record fields it packs, in column order. */
export type Columns = Record<string, string[]>;

export interface InputMapping {
  name: string;
  dtype: string;
  shape: number[];
  field?: string;
  fields?: string[];
}

const isRecord = (v: unknown): v is SampleRecord => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One record, a list of records, or a /get_score body {"data": [...]}, as old callers send them. */
export function readSample(text: string, file: string): SampleRecord[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`--sample ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const data = isRecord(doc) && 'data' in doc ? doc['data'] : doc;
  const records = Array.isArray(data) ? data : [data];
  if (records.length === 0) throw new Error(`--sample ${file} holds no records`);
  records.forEach((r, i) => {
    if (!isRecord(r)) throw new Error(`--sample ${file}: record ${i} is not an object of fields`);
  });
  return records as SampleRecord[];
}

/** {"input": ["field", ...]}, or a bare list for a model with a single input. */
export function parseColumns(text: string, source: string, inputs: readonly SignatureEntry[]): Columns {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source} is not valid JSON: ${(err as Error).message}`);
  }
  if (Array.isArray(doc)) {
    if (inputs.length !== 1) throw new Error(`${source} is a list, but the model has ${inputs.length} inputs: give {"<input>": ["field", ...]} per input`);
    doc = { [inputs[0]!.name]: doc };
  }
  if (!isRecord(doc)) throw new Error(`${source} must be {"<input>": ["field", ...]}`);
  const columns: Columns = {};
  for (const [input, fields] of Object.entries(doc)) {
    if (!inputs.some((i) => i.name === input)) throw new Error(`${source} names "${input}", which is not an input of the model (${inputs.map((i) => i.name).join(', ')})`);
    if (!Array.isArray(fields) || fields.length === 0 || !fields.every((f) => typeof f === 'string' && f.length > 0)) {
      throw new Error(`${source}: "${input}" must be a non-empty list of field names`);
    }
    columns[input] = fields as string[];
  }
  return columns;
}

/** The `columns` entry of the model's metadata_props (tools/models/add_columns_metadata.py writes one). */
export function columnsFromMetadata(props: Record<string, string>, inputs: readonly SignatureEntry[]): Columns | undefined {
  const text = props['columns'];
  return text === undefined ? undefined : parseColumns(text, 'the model\'s metadata_props "columns"', inputs);
}

/** Values per record the input takes: k for [N, k], 1 for [N] or [N, 1], undefined when not fixed. */
function width(shape: readonly number[]): number | undefined {
  if (shape.length <= 1) return 1;
  const inner = shape.slice(1);
  return inner.every((d) => d > 0) ? inner.reduce((a, b) => a * b, 1) : undefined;
}

const countValues = (v: unknown): number => (Array.isArray(v) ? v.reduce((n: number, x) => n + countValues(x), 0) : 1);
const describeShape = (e: SignatureEntry) => `${e.dtype} [${e.shape.join(', ')}]`;

export function mapSampleToInputs(inputs: readonly SignatureEntry[], records: readonly SampleRecord[], columns: Columns = {}): { inputs: InputMapping[]; unused: string[] } {
  const sampleFields = [...new Set(records.flatMap((r) => Object.keys(r)))];
  const used = new Set<string>();
  const requireField = (field: string, input: SignatureEntry) => {
    const missing = records.findIndex((r) => !Object.hasOwn(r, field));
    if (missing >= 0) {
      throw new Error(
        `Model input "${input.name}" (${describeShape(input)}) needs the field "${field}", but sample record ${missing} has no such field. Sample fields: ${sampleFields.join(', ')}`,
      );
    }
    used.add(field);
  };

  const mapped = inputs.map((input): InputMapping => {
    const base = { name: input.name, dtype: input.dtype, shape: input.shape };
    const k = width(input.shape);
    const listed = columns[input.name];
    if (listed) {
      if (k !== undefined && listed.length !== k && !(listed.length === 1 && k > 1)) {
        throw new Error(`Model input "${input.name}" (${describeShape(input)}) takes ${k} values per record, but its columns list ${listed.length} fields: ${listed.join(', ')}`);
      }
      listed.forEach((f) => requireField(f, input));
      return listed.length === 1 ? { ...base, field: listed[0] } : { ...base, fields: listed };
    }
    if (sampleFields.includes(input.name)) {
      requireField(input.name, input);
      if (k !== undefined && k > 1) {
        const bad = records.findIndex((r) => countValues(r[input.name]) !== k);
        if (bad >= 0) {
          throw new Error(
            `Model input "${input.name}" (${describeShape(input)}) takes ${k} values per record, but field "${input.name}" of sample record ${bad} holds ${countValues(records[bad]![input.name])}. ` +
              `If the model packs several fields into it, list them in order with --columns <file> ({"${input.name}": ["field", ...]}).`,
          );
        }
      }
      return { ...base, field: input.name };
    }
    throw new Error(
      `Cannot place model input "${input.name}" (${describeShape(input)}): the sample has no field "${input.name}" and the model's metadata lists no columns for it. ` +
        `Name the fields it takes, in order, with --columns <file> ({"${input.name}": ["field", ...]}) or in the model's metadata_props "columns". Sample fields: ${sampleFields.join(', ')}`,
    );
  });
  return { inputs: mapped, unused: sampleFields.filter((f) => !used.has(f)) };
}
