/** Valid request bodies for the penguins example, per API, built from its reference records. */
import { readFile } from 'node:fs/promises';

export type PenguinRecord = Record<string, unknown>;

export async function penguinRecords(): Promise<PenguinRecord[]> {
  return (JSON.parse(await readFile('models/penguins/1/reference.json', 'utf8')) as { records: PenguinRecord[] }).records;
}

export const FIELDS: [input: string, field: string, datatype: 'BYTES' | 'FP32'][] = [
  ['island', 'Island', 'BYTES'],
  ['bill_length_mm', 'Beak Length (mm)', 'FP32'],
  ['bill_depth_mm', 'Beak Depth (mm)', 'FP32'],
  ['flipper_length_mm', 'Flipper Length (mm)', 'FP32'],
  ['body_mass_g', 'Body Mass (g)', 'FP32'],
  ['sex', 'Sex', 'BYTES'],
];

export const instanceOf = (r: PenguinRecord) => Object.fromEntries(FIELDS.map(([input, field, dt]) => [input, r[field] ?? (dt === 'BYTES' ? '' : 0)]));

export const getScoreBody = (records: PenguinRecord[]) => JSON.stringify({ data: records });
export const predictBody = (records: PenguinRecord[]) => JSON.stringify({ instances: records.map(instanceOf) });
export const inferBody = (records: PenguinRecord[]) =>
  JSON.stringify({
    inputs: FIELDS.map(([input, field, datatype]) => ({
      name: input,
      shape: [records.length, 1],
      datatype,
      data: records.map((r) => r[field] ?? (datatype === 'BYTES' ? '' : null)),
    })),
  });

/** A columnar TF Serving body of `rows` rows: the multi-megabyte answer of the SIGTERM drill. */
export function bigColumnarBody(rows: number): string {
  const islands = ['Biscoe', 'Dream', 'Torgersen'];
  return JSON.stringify({
    inputs: {
      island: Array.from({ length: rows }, (_, i) => islands[i % 3]),
      bill_length_mm: Array.from({ length: rows }, (_, i) => 35 + (i % 20)),
      bill_depth_mm: Array.from({ length: rows }, (_, i) => 14 + (i % 6)),
      flipper_length_mm: Array.from({ length: rows }, (_, i) => 180 + (i % 40)),
      body_mass_g: Array.from({ length: rows }, (_, i) => 3000 + (i % 30) * 100),
      sex: Array.from({ length: rows }, (_, i) => (i % 2 ? 'MALE' : 'FEMALE')),
    },
  });
}
