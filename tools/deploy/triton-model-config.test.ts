/**
 * The Triton pairing the generator writes: config.pbtxt parses as Triton's ModelConfig
 * (protobuf text format, against the public field numbers), and agrees with the model's
 * ONNX signature and with the logic app's model.json.
 */
import { readJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelGenerator } from '../plugin/src/generators/model/generator.js';
import { dataTypeName, parseTritonConfig } from './triton-model-config.js';

const models = resolve(__dirname, '../../models');

describe('config.pbtxt for Triton', () => {
  it('iris: batched, its tensors without the batch dimension, a per-row label reshaped', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await modelGenerator(tree, { name: 'iris_triton', backend: 'v2', graph: 'triton', from: `${models}/iris/1/model.onnx` });
    const config = parseTritonConfig(tree.read('models/iris_triton/config.pbtxt', 'utf-8')!);
    expect(config.name).toBe('iris_triton');
    expect(config.platform).toBe('onnxruntime_onnx');
    expect(config.maxBatchSize).toBe(64);
    expect(config.versionPolicy?.policyChoice).toMatchObject({ case: 'latest', value: { numVersions: 1 } });
    expect(config.input.map((t) => [t.name, dataTypeName(t.dataType), t.dims.map(Number)])).toEqual([['features', 'TYPE_FP32', [4]]]);
    expect(config.output.map((t) => [t.name, dataTypeName(t.dataType), t.dims.map(Number), t.reshape?.shape.map(Number)])).toEqual([
      ['probabilities', 'TYPE_FP32', [3], undefined],
      ['class', 'TYPE_INT64', [1], []],
    ]);
    expect(config.schedulingChoice.case).toBe('dynamicBatching');
    expect(config.instanceGroup).toEqual([expect.objectContaining({ kind: 0, count: 1 })]);
    // The logic app calls the same model, by the same tensor names.
    const modelJson = readJson(tree, 'models/iris_triton/model.json');
    expect(modelJson.backend).toBe('v2');
    expect(modelJson.inputs.map((i: { name: string }) => i.name)).toEqual(config.input.map((t) => t.name));
    expect(tree.exists('models/iris_triton/1/model.onnx')).toBe(true);
  });

  it('penguins: strings are TYPE_STRING', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await modelGenerator(tree, { name: 'penguins', backend: 'v2', from: `${models}/penguins/1/model.onnx` });
    const config = parseTritonConfig(tree.read('models/penguins/config.pbtxt', 'utf-8')!);
    expect(config.input.find((t) => t.name === 'island')).toMatchObject({ dataType: 13, dims: [1n] });
    expect(config.output.find((t) => t.name === 'label')).toMatchObject({ dataType: 13 });
  });

  it('without --from: only name and platform, which Triton completes from the ONNX file', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await modelGenerator(tree, { name: 'later', backend: 'v2', graph: 'triton' });
    const config = parseTritonConfig(tree.read('models/later/config.pbtxt', 'utf-8')!);
    expect(config).toMatchObject({ name: 'later', platform: 'onnxruntime_onnx', maxBatchSize: 0, input: [], output: [] });
  });

  it('the descriptor refuses what Triton would refuse', () => {
    expect(() => parseTritonConfig('name: "x"\nmax_batch_size: "many"')).toThrow();
    expect(() => parseTritonConfig('name: "x"\ninput [ { name: "a" data_type: TYPE_FLOAT32 dims: [ 1 ] } ]')).toThrow();
    expect(() => parseTritonConfig('name: "x"\nmax_batchsize: 8')).toThrow();
  });
});
