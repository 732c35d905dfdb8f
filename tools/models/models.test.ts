/**
 * The example models themselves: onnxruntime's answers on every reference record equal
 * scikit-learn's predictions at training time (the runtime's tests check serving).
 */
import { readFile } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';

type Records = Record<string, number | string | null>[];
const reference = async (model: string, version: number) =>
  JSON.parse(await readFile(`models/${model}/${version}/reference.json`, 'utf8')) as { records: Records; outputs: Record<string, unknown[]> };

const PENGUIN_INPUTS: [string, string, 'float32' | 'string'][] = [
  ['island', 'Island', 'string'],
  ['bill_length_mm', 'Beak Length (mm)', 'float32'],
  ['bill_depth_mm', 'Beak Depth (mm)', 'float32'],
  ['flipper_length_mm', 'Flipper Length (mm)', 'float32'],
  ['body_mass_g', 'Body Mass (g)', 'float32'],
  ['sex', 'Sex', 'string'],
];

/** The runtime's missing-value contract: a missing number is NaN, a missing string "". */
function penguinFeeds(records: Records): Record<string, ort.Tensor> {
  return Object.fromEntries(
    PENGUIN_INPUTS.map(([input, field, type]) => {
      const values = records.map((r) => r[field]);
      const data = type === 'string' ? values.map((v) => (v === null ? '' : String(v))) : Float32Array.from(values, (v) => (v === null ? NaN : Number(v)));
      return [input, new ort.Tensor(type, data, [records.length, 1])];
    }),
  );
}

function maxDiff(actual: Float32Array, expected: number[][]): number {
  let max = 0;
  expected.flat().forEach((e, i) => (max = Math.max(max, Math.abs(actual[i]! - e))));
  return max;
}

describe.each([1, 2])('penguins v%i', (version) => {
  it('has the skl2onnx-style signature and matches scikit-learn on every record', async () => {
    const session = await ort.InferenceSession.create(`models/penguins/${version}/model.onnx`);
    expect(session.inputNames).toEqual(['bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g', 'island', 'sex']);
    expect(session.outputNames).toEqual(['label', 'probabilities']);
    const ref = await reference('penguins', version);
    const out = await session.run(penguinFeeds(ref.records));
    expect([...(out['label']!.data as string[])]).toEqual(ref.outputs['label']);
    expect(out['probabilities']!.dims).toEqual([ref.records.length, 3]);
    expect(maxDiff(out['probabilities']!.data as Float32Array, ref.outputs['probabilities'] as number[][])).toBeLessThan(1e-5);
    await session.release();
  });
});

describe('iris v1', () => {
  it('is a plain MLP graph and matches scikit-learn on every flower', async () => {
    const session = await ort.InferenceSession.create('models/iris/1/model.onnx');
    expect(session.inputNames).toEqual(['features']);
    expect(session.outputNames).toEqual(['probabilities', 'class']);
    const ref = await reference('iris', 1);
    const fields = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
    const data = Float32Array.from(ref.records.flatMap((r) => fields.map((f) => Number(r[f]))));
    const out = await session.run({ features: new ort.Tensor('float32', data, [ref.records.length, 4]) });
    expect(maxDiff(out['probabilities']!.data as Float32Array, ref.outputs['probabilities'] as number[][])).toBeLessThan(1e-5);
    expect([...(out['class']!.data as BigInt64Array)].map(Number)).toEqual(ref.outputs['class']);
    await session.release();
  });
});
