import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { removeModelGenerator } from '../remove-model/generator';
import { modelGenerator } from './generator';

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
  });

  it('creates the app with every target, a smoke test, the Dockerfile and the k8s base and overlays', async () => {
    await modelGenerator(tree, { name: 'srs-agg-api', from: IRIS_ONNX, tags: 'team:risk' });
    const project = readJson(tree, 'apps/srs-agg-api/project.json');
    expect(Object.keys(project.targets).sort()).toEqual(['build', 'container', 'container-push', 'lint', 'serve', 'test', 'typecheck']);
    expect(project.tags).toEqual(['type:app', 'backend:onnx', 'team:risk']);
    expect(project.namedInputs.model).toEqual(['{workspaceRoot}/models/srs-agg-api/**/*']);
    expect(tree.read('apps/srs-agg-api/src/main.ts', 'utf-8')).toContain("serve({ model: 'srs-agg-api', hooks })");
    expect(tree.exists('apps/srs-agg-api/src/main.test.ts')).toBe(true);
    const dockerfile = tree.read('apps/srs-agg-api/Dockerfile', 'utf-8')!;
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim AS deps/m);
    expect(dockerfile).toContain('USER node');
    expect(dockerfile).toContain('/v2/health/live');
    expect(dockerfile).toContain('COPY --chown=node:node models/srs-agg-api /models/srs-agg-api');
    for (const file of ['deployment', 'service', 'hpa', 'pdb', 'kustomization']) expect(tree.exists(`apps/srs-agg-api/k8s/base/${file}.yaml`)).toBe(true);
    for (const env of ['sit', 'stg', 'prd']) expect(parse(tree.read(`apps/srs-agg-api/k8s/overlays/${env}/kustomization.yaml`, 'utf-8')!).namespace).toBe(`modelyard-${env}`);
    const deployment = parse(tree.read('apps/srs-agg-api/k8s/base/deployment.yaml', 'utf-8')!);
    const container = deployment.spec.template.spec.containers[0];
    expect(container.readinessProbe.httpGet.path).toBe('/v2/health/ready');
    expect(container.livenessProbe.httpGet.path).toBe('/v2/health/live');
    // The grace period covers preStop plus the runtime's drain.
    const drain = Number(container.env.find((e: { name: string }) => e.name === 'SHUTDOWN_TIMEOUT_MS').value) / 1000;
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(Number(container.lifecycle.preStop.exec.command[1]) + drain);
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
    expect(tree.read('apps/digits/graph/Dockerfile', 'utf-8')).toMatch(/^FROM tensorflow\/serving:\d+\.\d+\.\d+$/m);
    expect(parse(tree.read('apps/digits/k8s/base/kustomization.yaml', 'utf-8')!).resources).toContain('graph.yaml');
    const env = parse(tree.read('apps/digits/k8s/base/deployment.yaml', 'utf-8')!).spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'TFSERVING_URL', value: 'http://digits-graph:8501' });
    const compose = parse(tree.read('docker-compose.yml', 'utf-8')!);
    expect(compose.services['digits-graph'].networks).toEqual(['digits-graph']);
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
    expect(readJson(tree, `apps/${app}/project.json`).namedInputs.model).toEqual([`{workspaceRoot}/models/${name}/**/*`]);
    expect(tree.read(`apps/${app}/src/main.ts`, 'utf-8')).toContain(`serve({ model: '${name}', hooks })`);
    expect(tree.read(`apps/${app}/Dockerfile`, 'utf-8')).toContain(`COPY --chown=node:node models/${name} /models/${name}`);
    expect(parse(tree.read(`apps/${app}/k8s/base/deployment.yaml`, 'utf-8')!).metadata.name).toBe(app);
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
