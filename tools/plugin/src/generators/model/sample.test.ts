/**
 * `nx g model --sample/--columns/--transformer` on a virtual tree, with the real example
 * models: the field mapping, the refusals, and sample.json's answer checked against the
 * training library's own predictions (reference.json).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { modelGenerator } from './generator';
import { readOnnxMetadata } from './onnx-metadata';

const ROOT = resolve(__dirname, '../../../../..');
const IRIS_ONNX = join(ROOT, 'models/iris/1/model.onnx');
const PENGUINS_ONNX = join(ROOT, 'models/penguins/1/model.onnx');
/** The iris network with {"features": [its four fields]} in metadata_props (tools/models/add_columns_metadata.py). */
const IRIS_NAMED = join(ROOT, 'libs/runtime/src/testing/fixtures/iris-named-columns/model.onnx');
/** Four [N, 1] columns → the [N, 4] "features" the iris network takes (tools/models/make_transformer.py). */
const IRIS_TRANSFORMER = join(ROOT, 'libs/runtime/src/testing/fixtures/iris-columns/model.onnx');
const IRIS_FIELDS = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];

const reference = (model: string) => JSON.parse(readFileSync(join(ROOT, `models/${model}/1/reference.json`), 'utf8')) as { records: Record<string, unknown>[]; outputs: Record<string, unknown[]> };
const iris = reference('iris');
const penguins = reference('penguins');

function file(name: string, content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sample-')), name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

let tree: Tree;
beforeEach(() => {
  tree = createTreeWithEmptyWorkspace();
});

describe('--sample', () => {
  it('reads the columns of a packed input from the model metadata and writes the answer it will give', async () => {
    expect(readOnnxMetadata(readFileSync(IRIS_NAMED))).toEqual({ columns: JSON.stringify({ features: IRIS_FIELDS }) });
    const records = iris.records.slice(0, 12);
    await modelGenerator(tree, { name: 'flowers', from: IRIS_NAMED, sample: file('records.json', { data: records }) });
    const config = readJson(tree, 'models/flowers/model.json');
    expect(config.inputs).toEqual([{ name: 'features', dtype: 'float32', shape: [-1, 4], fields: IRIS_FIELDS }]);
    expect(config.getScore).toEqual({ output: 'class' });
    const sample = readJson(tree, 'models/flowers/sample.json');
    expect(sample.request).toEqual({ data: records });
    expect(sample.response).toEqual({ msg: 'Successful!', code: 200, data: iris.outputs['class']!.slice(0, 12) });
  });

  it('takes the columns from --columns when the model has none, and a single record as the sample', async () => {
    await modelGenerator(tree, { name: 'flowers', from: IRIS_ONNX, sample: file('one.json', iris.records[60]), columns: file('columns.json', IRIS_FIELDS) });
    expect(readJson(tree, 'models/flowers/model.json').inputs[0].fields).toEqual(IRIS_FIELDS);
    expect(readJson(tree, 'models/flowers/sample.json').response.data).toEqual([iris.outputs['class']![60]]);
  });

  it('renames one-column inputs through --columns and answers the labels scikit-learn gave', async () => {
    const records = penguins.records.slice(0, 20);
    const columns = { island: ['Island'], bill_length_mm: ['Beak Length (mm)'], bill_depth_mm: ['Beak Depth (mm)'], flipper_length_mm: ['Flipper Length (mm)'], body_mass_g: ['Body Mass (g)'], sex: ['Sex'] };
    await modelGenerator(tree, { name: 'penguin_species', from: PENGUINS_ONNX, sample: file('records.json', records), columns: file('columns.json', columns) });
    const config = readJson(tree, 'models/penguin_species/model.json');
    expect(config.inputs.find((i: { name: string }) => i.name === 'body_mass_g').field).toBe('Body Mass (g)');
    expect(readJson(tree, 'models/penguin_species/sample.json').response.data).toEqual(penguins.outputs['label']!.slice(0, 20));
    // The version's references for the self-check at load: the sample and every output, as exported.
    const written = readJson(tree, 'models/penguin_species/1/reference.json');
    expect(written.records).toEqual(records);
    expect(written.outputs['label']).toEqual(penguins.outputs['label']!.slice(0, 20));
    const probabilities = written.outputs['probabilities'] as number[][];
    expect(probabilities).toHaveLength(20);
    probabilities.forEach((row, i) => row.forEach((p, j) => expect(Math.abs(p - (penguins.outputs['probabilities']![i] as number[])[j]!)).toBeLessThan(1e-5)));
    expect(tree.exists('apps/penguin-species/project.json')).toBe(true);
  });

  it.each([
    ['a packed input without columns', { from: IRIS_ONNX, sample: () => file('r.json', iris.records.slice(0, 2)) }, 'Cannot place model input "features" (float32 [-1, 4]): the sample has no field "features"'],
    ['a field missing from one record', { from: IRIS_NAMED, sample: () => file('r.json', [iris.records[0], { ...iris.records[1], petal_width: undefined }]) }, 'needs the field "petal_width", but sample record 1 has no such field'],
    ['columns of the wrong width', { from: IRIS_ONNX, sample: () => file('r.json', iris.records.slice(0, 1)), columns: () => file('c.json', IRIS_FIELDS.slice(0, 3)) }, 'takes 4 values per record, but its columns list 3 fields'],
    ['columns naming no input', { from: IRIS_ONNX, sample: () => file('r.json', iris.records.slice(0, 1)), columns: () => file('c.json', { feats: IRIS_FIELDS }) }, 'names "feats", which is not an input of the model'],
    ['a value of the wrong type', { from: IRIS_NAMED, sample: () => file('r.json', [{ ...iris.records[0], sepal_width: 'wide' }]) }, 'sample record 0, field "sepal_width" must be a number or null'],
    ['a sample that is not JSON', { from: IRIS_NAMED, sample: () => file('r.json', '{"data": [') }, 'is not valid JSON'],
    ['a sample without the model', { sample: () => file('r.json', iris.records.slice(0, 1)) }, 'need the model itself: give --from'],
  ])('refuses %s, changing nothing', async (_label, opts: { from?: string; sample: () => string; columns?: () => string }, message) => {
    const options = { name: 'flowers', from: opts.from, sample: opts.sample(), columns: opts.columns?.() };
    await expect(modelGenerator(tree, options)).rejects.toThrow(message);
    expect(tree.listChanges().filter((c) => c.path.startsWith('apps/') || c.path.startsWith('models/'))).toEqual([]);
  });
});

describe('--transformer', () => {
  it('puts the transformer next to the model, maps the sample onto its inputs and runs both', async () => {
    const records = iris.records.slice(0, 30);
    await modelGenerator(tree, { name: 'flowers', from: IRIS_ONNX, transformer: IRIS_TRANSFORMER, sample: file('records.json', records) });
    expect(tree.read('models/flowers/1/transformer.onnx')!.equals(readFileSync(IRIS_TRANSFORMER))).toBe(true);
    const config = readJson(tree, 'models/flowers/model.json');
    expect(config.transformer).toEqual({ artifact: 'transformer.onnx' });
    expect(config.inputs).toEqual(IRIS_FIELDS.map((f) => ({ name: f, dtype: 'float32', shape: [-1, 1], field: f })));
    expect(config.outputs.map((o: { name: string }) => o.name)).toEqual(['probabilities', 'class']);
    expect(readJson(tree, 'models/flowers/sample.json').response.data).toEqual(iris.outputs['class']!.slice(0, 30));
    // No per-app test: the shared smoke test (tools/plugin/src/smoke) checks models/flowers/sample.json.
    expect(tree.exists('apps/flowers/src/main.test.ts')).toBe(false);
  });

  it('sets up the stage in front of a tfjs model too (its inputs cannot be checked from here)', async () => {
    await modelGenerator(tree, { name: 'cars', backend: 'tfjs', from: join(ROOT, 'libs/runtime/src/testing/fixtures/cars-graph'), transformer: IRIS_TRANSFORMER });
    const config = readJson(tree, 'models/cars/model.json');
    expect(config).toMatchObject({ backend: 'tfjs', artifact: 'model.json', transformer: { artifact: 'transformer.onnx' } });
    expect(config.inputs.map((i: { name: string }) => i.name)).toEqual(IRIS_FIELDS);
    expect(config.outputs).toBeUndefined();
    expect(tree.exists('models/cars/1/model.json')).toBe(true);
    expect(tree.exists('models/cars/1/transformer.onnx')).toBe(true);
  });

  it('refuses a transformer whose outputs are not the model inputs', async () => {
    await expect(modelGenerator(tree, { name: 'flowers', from: IRIS_ONNX, transformer: PENGUINS_ONNX })).rejects.toThrow(
      `--transformer does not fit the model: the model's input "features" is not an output of the transformer`,
    );
  });
});
