import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelConfig, parseModelConfig } from '../backends/model-config.js';
import { WORKSPACE_MODELS } from '../testing/fixtures.js';
import { ConfigError } from './load-config.js';

const valid = { name: 'churn', inputs: [{ name: 'x', dtype: 'float32', fields: ['a', 'b'] }] };

describe('parseModelConfig', () => {
  it('fills TF Serving-like defaults', () => {
    const config = parseModelConfig('m.json', JSON.stringify(valid));
    expect(config.backend).toBe('onnx');
    expect(config.versionPolicy).toEqual({ latest: { numVersions: 1 } });
    expect(config.labels).toEqual({});
    expect((config as unknown as { onnx: { execution: string } }).onnx.execution).toBe('auto');
    expect(config.batching).toBeUndefined();
  });

  it.each([
    [{ ...valid, name: 'a/b' }, 'name: must be letters, digits'],
    [{ ...valid, name: 'v1:predict' }, 'name: must be letters, digits'],
    [{ ...valid, name: '-lead' }, 'name: must be letters, digits'],
    [{ ...valid, backend: 'torch' }, 'backend:'],
    [{ ...valid, inputs: [{ name: 'x', dtype: 'float16' }] }, 'inputs.0.dtype'],
    [{ ...valid, inputs: [{ name: 'x', field: 'a', fields: ['b'] }] }, 'give either "field" or "fields"'],
    [{ ...valid, versionPolicy: { newest: 2 } }, 'versionPolicy'],
    [{ ...valid, labels: { stable: 0 } }, 'labels.stable'],
    [{ ...valid, batching: { maxBatchSize: 0 } }, 'batching.maxBatchSize'],
    [{ ...valid, colour: 'red' }, 'colour'],
    [{ ...valid, inputs: [{ name: 'x' }, { name: 'x' }] }, 'inputs.1.name: "x" appears twice'],
  ])('rejects %j naming the field', (config, field) => {
    expect(() => parseModelConfig('models/churn/model.json', JSON.stringify(config))).toThrow(ConfigError);
    try {
      parseModelConfig('models/churn/model.json', JSON.stringify(config));
    } catch (err) {
      expect((err as Error).message).toContain('models/churn/model.json');
      expect((err as Error).message).toContain(field);
    }
  });

  it.each(['half_plus_two', 'ResNet50_v2', 'srs-agg-api', 'model.v2'])('takes the TF Serving model name %s', (name) => {
    expect(parseModelConfig('m.json', JSON.stringify({ ...valid, name })).name).toBe(name);
  });

  it('builds the backend list from the registry: an unknown backend names the registered ones', () => {
    expect(() => parseModelConfig('m.json', JSON.stringify({ ...valid, backend: 'torch' }))).toThrow(/backend: must be one of the registered backends: onnx, tfjs, tfserving, v2/);
  });

  it("fills each backend's defaults only on its own models, and refuses another backend's block", () => {
    const onnx = parseModelConfig('m.json', JSON.stringify(valid)) as unknown as Record<string, unknown>;
    expect(onnx['artifact']).toBe('model.onnx');
    expect(onnx['tfserving']).toBeUndefined();
    const tfserving = parseModelConfig('m.json', JSON.stringify({ ...valid, backend: 'tfserving', tfserving: { model: 'x' } })) as unknown as Record<string, Record<string, unknown>>;
    expect(tfserving['artifact']).toBe('saved_model.pb');
    expect(tfserving['tfserving']).toMatchObject({ model: 'x', protocol: 'rest', timeoutMs: 2000, retries: 2 });
    expect(tfserving['onnx']).toBeUndefined();
    expect(() => parseModelConfig('m.json', JSON.stringify({ ...valid, backend: 'tfjs', onnx: { execution: 'inline' } }))).toThrow(/onnx/);
    expect(() => parseModelConfig('m.json', JSON.stringify({ ...valid, backend: 'v2', v2: { binary: 'sometimes' } }))).toThrow(/v2\.binary/);
  });

  it("keeps today's files valid: the workspace's models, and onnx/tfserving blocks as written before", async () => {
    for (const model of ['cars', 'digits', 'iris', 'penguins']) await expect(loadModelConfig(join(WORKSPACE_MODELS, model), model)).resolves.toMatchObject({ name: model });
    const onnx = parseModelConfig('m.json', JSON.stringify({ ...valid, onnx: { execution: 'inline', workers: 2 } })) as unknown as { onnx: unknown };
    expect(onnx.onnx).toEqual({ execution: 'inline', workers: 2, intraOpThreads: 1 });
    const tfs = { ...valid, backend: 'tfserving', tfserving: { protocol: 'grpc', grpc: 'digits-graph:8500', model: 'digits', timeoutMs: 1000, retries: 1, breakerThreshold: 3 } };
    expect((parseModelConfig('m.json', JSON.stringify(tfs)) as unknown as { tfserving: unknown }).tfserving).toMatchObject(tfs.tfserving);
  });

  it('a transformer runs on a registered backend, onnx by default', () => {
    const config = parseModelConfig('m.json', JSON.stringify({ ...valid, transformer: { artifact: 't.onnx' } }));
    expect(config.transformer).toEqual({ artifact: 't.onnx', backend: 'onnx' });
    expect(() => parseModelConfig('m.json', JSON.stringify({ ...valid, transformer: { artifact: 't', backend: 'sklearn' } }))).toThrow(/transformer\.backend/);
    expect(() => parseModelConfig('m.json', JSON.stringify({ ...valid, transformer: { artifact: 't', backend: 'v2' } }))).toThrow(/transformer\.backend: must be an in-process backend: onnx, tfjs/);
    expect(parseModelConfig('m.json', JSON.stringify({ ...valid, transformer: { artifact: 't.json', backend: 'tfjs' } })).transformer).toEqual({ artifact: 't.json', backend: 'tfjs' });
  });

  it('names the file when the JSON itself is broken', () => {
    expect(() => parseModelConfig('models/churn/model.json', '{"name": ')).toThrow(/models\/churn\/model.json is not valid JSON/);
  });
});

describe('loadModelConfig', () => {
  it('insists that the folder and the name agree, and names a missing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'config-'));
    await mkdir(join(dir, 'churn'));
    await writeFile(join(dir, 'churn', 'model.json'), JSON.stringify({ ...valid, name: 'other' }));
    await expect(loadModelConfig(join(dir, 'churn'), 'churn')).rejects.toThrow(/name: "other" does not match its folder "churn"/);
    await expect(loadModelConfig(join(dir, 'nope'), 'nope')).rejects.toThrow(/cannot read model config .*nope\/model.json: ENOENT/);
  });
});
