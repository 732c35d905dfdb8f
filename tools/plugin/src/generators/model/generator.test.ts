import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { removeModelGenerator } from '../remove-model/generator';
import { modelGenerator } from './generator';
import { modelConfig } from './model-config';

const IRIS_ONNX = resolve(__dirname, '../../../../../models/iris/1/model.onnx');
const PENGUINS_ONNX = resolve(__dirname, '../../../../../models/penguins/1/model.onnx');

let tree: Tree;
beforeEach(() => {
  tree = createTreeWithEmptyWorkspace();
});

describe('model generator', () => {
  it('writes a working config from the ONNX signature and copies the artifact as version 1', async () => {
    await modelGenerator(tree, { name: 'churn', from: PENGUINS_ONNX });
    const config = readJson(tree, 'models/churn/model.json');
    expect(config.backend).toBe('onnx');
    expect(config.inputs).toContainEqual({ name: 'island', dtype: 'string', shape: [-1, 1], field: 'island' });
    expect(config.inputs).toContainEqual({ name: 'body_mass_g', dtype: 'float32', shape: [-1, 1], field: 'body_mass_g' });
    expect(config.outputs).toEqual([
      { name: 'label', role: 'label' },
      { name: 'probabilities', role: 'probabilities' },
    ]);
    expect(tree.read('models/churn/1/model.onnx')!.length).toBeGreaterThan(100);
    // Every input and output has a free row dimension: batching on, without waiting.
    expect(config.batching).toEqual({ maxBatchSize: 64, batchTimeoutMicros: 0 });
  });

  it('leaves batching off when a tensor has a fixed first dimension, and for graph backends', () => {
    const rows = { inputs: [{ name: 'x', dtype: 'float32', shape: [-1, 4] }], outputs: [{ name: 'y', dtype: 'float32', shape: [-1] }] };
    expect(modelConfig('m', 'onnx', rows).batching).toEqual({ maxBatchSize: 64, batchTimeoutMicros: 0 });
    expect(modelConfig('m', 'onnx', { ...rows, inputs: [{ name: 'x', dtype: 'float32', shape: [1, 4] }] }).batching).toBeUndefined();
    expect(modelConfig('m', 'onnx', { ...rows, outputs: [{ name: 'y', dtype: 'float32', shape: [] }] }).batching).toBeUndefined();
    expect(modelConfig('m', 'v2', rows).batching).toBeUndefined();
  });

  it('creates only the per-model files: project.json, main, hooks, the k8s base and three overlays', async () => {
    await modelGenerator(tree, { name: 'srs-agg-api', from: IRIS_ONNX, tags: 'team:risk' });
    const files = tree.listChanges().map((c) => c.path).filter((p) => p.startsWith('apps/srs-agg-api/')).sort();
    expect(files).toEqual([
      'apps/srs-agg-api/k8s/base/kustomization.yaml',
      'apps/srs-agg-api/k8s/overlays/prd/kustomization.yaml',
      'apps/srs-agg-api/k8s/overlays/sit/kustomization.yaml',
      'apps/srs-agg-api/k8s/overlays/stg/kustomization.yaml',
      'apps/srs-agg-api/project.json',
      'apps/srs-agg-api/src/hooks.ts',
      'apps/srs-agg-api/src/main.ts',
    ]);
    // No targets: the plugin infers them (nodes/app-targets.ts); type:app and backend:* too.
    const project = readJson(tree, 'apps/srs-agg-api/project.json');
    expect(project.targets).toBeUndefined();
    expect(project.tags).toEqual(['team:risk']);
    expect(project.metadata.modelyard).toEqual({ model: 'srs-agg-api', devPort: 8080 });
    expect(tree.read('apps/srs-agg-api/src/main.ts', 'utf-8')).toContain("serve({ model: 'srs-agg-api', hooks })");
    const base = parse(tree.read('apps/srs-agg-api/k8s/base/kustomization.yaml', 'utf-8')!);
    expect(base.resources).toEqual(['../../../../tools/k8s/model-app']);
    expect(base.components).toBeUndefined();
    expect(base.commonLabels['app.kubernetes.io/name']).toBe('srs-agg-api');
    expect(base.images).toEqual([{ name: 'model-app', newName: 'srs-agg-api' }]);
    for (const env of ['sit', 'stg', 'prd']) {
      const overlay = parse(tree.read(`apps/srs-agg-api/k8s/overlays/${env}/kustomization.yaml`, 'utf-8')!);
      expect(overlay.components).toEqual([`../../../../../tools/k8s/env/${env}`]);
      expect(overlay.images).toEqual([{ name: 'srs-agg-api', newName: 'harbor.example.com/modelyard/srs-agg-api', newTag: 'latest' }]);
    }
  });

  it('gives each new app the next free dev port and a compose service on it', async () => {
    await modelGenerator(tree, { name: 'a-model' });
    await modelGenerator(tree, { name: 'b-model' });
    await modelGenerator(tree, { name: 'c-model', port: 9000 });
    const compose = parse(tree.read('docker-compose.yml', 'utf-8')!);
    expect(compose.services['a-model'].ports).toEqual(['127.0.0.1:8080:8080']);
    expect(compose.services['b-model'].ports).toEqual(['127.0.0.1:8081:8080']);
    expect(compose.services['c-model'].ports).toEqual(['127.0.0.1:9000:8080']);
  });

  it('pairs a tfserving model with its graph image, Deployment and private network', async () => {
    const saved = mkdtempSync(join(tmpdir(), 'savedmodel-'));
    writeFileSync(join(saved, 'saved_model.pb'), 'fake-but-present');
    mkdirSync(join(saved, 'variables'));
    writeFileSync(join(saved, 'variables', 'variables.index'), 'x');
    await modelGenerator(tree, { name: 'digits', backend: 'tfserving', from: saved });
    expect(tree.exists('models/digits/1/saved_model.pb')).toBe(true);
    expect(tree.exists('models/digits/1/variables/variables.index')).toBe(true);
    expect(tree.read('models/digits/models.config', 'utf-8')).toContain("base_path: '/models/digits'");
    const base = parse(tree.read('apps/digits/k8s/base/kustomization.yaml', 'utf-8')!);
    expect(base.components).toEqual(['../../../../tools/k8s/graph']);
    expect(base.images).toContainEqual({ name: 'model-app-graph', newName: 'digits-graph' });
    expect(parse(tree.read('apps/digits/k8s/overlays/prd/kustomization.yaml', 'utf-8')!).images).toContainEqual({ name: 'digits-graph', newName: 'harbor.example.com/modelyard/digits-graph', newTag: 'latest' });
    expect(tree.exists('apps/digits/graph')).toBe(false);
    const compose = parse(tree.read('docker-compose.yml', 'utf-8')!);
    expect(compose.services['digits-graph'].networks).toEqual(['digits-graph']);
    expect(compose.services['digits-graph'].build).toEqual({ context: '.', dockerfile: 'tools/images/tfserving-graph.Dockerfile', args: { MODEL: 'digits' } });
    expect(compose.services.digits.build.dockerfile).toBe('tools/images/remote.Dockerfile');
    expect(compose.services['digits-graph'].ports).toBeUndefined();
    expect(compose.networks['digits-graph']).toEqual({ internal: true });
  });

  it.each([
    [{ name: 'churn/api' }, 'Model name "churn/api" cannot be served'],
    [{ name: 'v1:predict' }, 'cannot be served'],
    [{ name: '-churn' }, 'cannot be served'],
    [{ name: 'a'.repeat(64) }, 'at most 63 (give a shorter one with --app-name)'],
    [{ name: 'half_plus_two', appName: 'Half_Plus_Two' }, 'App name "Half_Plus_Two" is not a DNS-1123 label'],
  ])('refuses %j', async (options, message) => {
    await expect(modelGenerator(tree, options)).rejects.toThrow(message);
    expect(tree.listChanges().filter((c) => c.path.startsWith('apps/') || c.path.startsWith('models/'))).toEqual([]);
  });

  it.each([
    ['half_plus_two', undefined, 'half-plus-two'],
    ['ResNet50_v2', undefined, 'resnet50-v2'],
    ['half_plus_two', 'hpt', 'hpt'],
  ])('serves model %s from app %s → apps/%s', async (name, appName, app) => {
    await modelGenerator(tree, { name, appName, from: IRIS_ONNX });
    expect(readJson(tree, `models/${name}/model.json`).name).toBe(name);
    expect(readJson(tree, `apps/${app}/project.json`).name).toBe(app);
    // The plugin reads the model from here: its `model` input, image build args, smoke test.
    expect(readJson(tree, `apps/${app}/project.json`).metadata.modelyard.model).toBe(name);
    expect(tree.read(`apps/${app}/src/main.ts`, 'utf-8')).toContain(`serve({ model: '${name}', hooks })`);
    expect(parse(tree.read('docker-compose.yml', 'utf-8')!).services[app].build.args).toEqual({ APP: app, MODEL: name });
    expect(tree.read(`apps/${app}/k8s/base/kustomization.yaml`, 'utf-8')).toContain(`"value": "${app}"`);
    expect(Object.keys(parse(tree.read('docker-compose.yml', 'utf-8')!).services)).toEqual([app]);
    await removeModelGenerator(tree, { name, appName });
    expect(tree.exists(`apps/${app}`)).toBe(false);
    expect(tree.exists(`models/${name}`)).toBe(false);
  });

  it('never overwrites an existing model', async () => {
    await modelGenerator(tree, { name: 'churn', from: IRIS_ONNX });
    const before = tree.read('models/churn/model.json', 'utf-8');
    await expect(modelGenerator(tree, { name: 'churn', from: PENGUINS_ONNX })).rejects.toThrow('Model "churn" already exists');
    expect(tree.read('models/churn/model.json', 'utf-8')).toBe(before);
  });

  it('refuses an artifact that does not match the backend, or is not a model', async () => {
    await expect(modelGenerator(tree, { name: 'x', backend: 'tfserving', from: IRIS_ONNX })).rejects.toThrow('is a onnx artifact, but --backend tfserving needs a savedmodel one');
    const bad = join(mkdtempSync(join(tmpdir(), 'bad-')), 'model.onnx');
    writeFileSync(bad, 'not onnx');
    await expect(modelGenerator(tree, { name: 'y', from: bad })).rejects.toThrow('onnxruntime cannot load the model');
  });
});

describe('remove-model generator', () => {
  it('removes the app, the model folder and the compose services, and nothing else', async () => {
    await modelGenerator(tree, { name: 'keep', from: IRIS_ONNX });
    await modelGenerator(tree, { name: 'gone', from: IRIS_ONNX });
    await removeModelGenerator(tree, { name: 'gone' });
    expect(tree.exists('apps/gone')).toBe(false);
    expect(tree.exists('models/gone')).toBe(false);
    const compose = parse(tree.read('docker-compose.yml', 'utf-8')!);
    expect(Object.keys(compose.services)).toEqual(['keep']);
    expect(tree.exists('apps/keep/project.json')).toBe(true);
    await expect(removeModelGenerator(tree, { name: 'gone' })).rejects.toThrow('There is no model "gone"');
  });
});
