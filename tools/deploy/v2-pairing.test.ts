/**
 * `nx g model <name> --backend v2 --graph triton|kserve|mlserver`: the logic app, the graph
 * service's files beside the version folders, its image, the Kubernetes pair and the compose
 * services, all through the shared templates and recipes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseModelConfig } from '../../libs/runtime/src/backends/model-config.js';
import { modelGenerator } from '../plugin/src/generators/model/generator.js';
import { removeModelGenerator } from '../plugin/src/generators/remove-model/generator.js';
import { treeApps } from '../plugin/src/lib/tree-apps.js';

const IRIS_ONNX = resolve(__dirname, '../../models/iris/1/model.onnx');
const joblib = () => {
  const file = join(mkdtempSync(join(tmpdir(), 'sklearn-')), 'churn.joblib');
  writeFileSync(file, 'a pickled pipeline');
  return file;
};

let tree: Tree;
beforeEach(() => {
  tree = createTreeWithEmptyWorkspace();
});

describe('--backend v2', () => {
  it('--graph triton (the default): model.json the runtime accepts, config.pbtxt, the graph pair', async () => {
    await modelGenerator(tree, { name: 'iris', backend: 'v2', from: IRIS_ONNX });
    const text = tree.read('models/iris/model.json', 'utf-8')!;
    const config = parseModelConfig('models/iris/model.json', text);
    expect(config).toMatchObject({ backend: 'v2', artifact: 'model.onnx' });
    expect(tree.exists('models/iris/config.pbtxt')).toBe(true);
    expect(tree.exists('models/iris/1/model.onnx')).toBe(true);
    expect(readJson(tree, 'apps/iris/project.json').metadata.modelyard.graph).toBe('triton');

    const base = parse(tree.read('apps/iris/k8s/base/kustomization.yaml', 'utf-8')!);
    expect(base.components).toEqual(['../../../../tools/k8s/graph-v2']);
    expect(base.images).toContainEqual({ name: 'model-app-graph', newName: 'iris-graph' });
    expect(parse(tree.read('apps/iris/k8s/overlays/prd/kustomization.yaml', 'utf-8')!).images).toContainEqual({ name: 'iris-graph', newName: 'harbor.example.com/modelyard/iris-graph', newTag: 'latest' });

    const compose = parse(tree.read('docker-compose.yml', 'utf-8')!);
    expect(compose.services.iris.build.dockerfile).toBe('tools/images/remote.Dockerfile');
    expect(compose.services.iris.environment).toMatchObject({ V2_URL: 'http://iris-graph:8000' });
    expect(compose.services.iris.environment.TFSERVING_URL).toBeUndefined();
    expect(compose.services['iris-graph'].build).toEqual({ context: '.', dockerfile: 'tools/images/triton-graph.Dockerfile', args: { MODEL: 'iris' } });
    expect(compose.services['iris-graph'].ports).toBeUndefined();
    expect(compose.networks['iris-graph']).toEqual({ internal: true });
    expect(treeApps(tree)).toEqual([expect.objectContaining({ app: 'iris', backend: 'v2', graph: 'triton' })]);

    await removeModelGenerator(tree, { name: 'iris' });
    expect(parse(tree.read('docker-compose.yml', 'utf-8')!).services?.['iris-graph']).toBeUndefined();
  });

  it.each(['kserve', 'mlserver'] as const)('--graph %s: a scikit-learn model, served unversioned', async (graph) => {
    await modelGenerator(tree, { name: 'churn', backend: 'v2', graph, from: joblib() });
    const config = parseModelConfig('models/churn/model.json', tree.read('models/churn/model.json', 'utf-8')!);
    expect(config).toMatchObject({ backend: 'v2', artifact: 'model.joblib' });
    expect((config as unknown as { v2: { versions: string } }).v2.versions).toBe('latest');
    expect(tree.read('models/churn/1/model.joblib', 'utf-8')).toBe('a pickled pipeline');
    expect(tree.exists('models/churn/config.pbtxt')).toBe(false);
    if (graph === 'mlserver') expect(readJson(tree, 'models/churn/model-settings.json')).toEqual({ name: 'churn', implementation: 'mlserver_sklearn.SKLearnModel', parameters: { uri: './1/model.joblib' } });
    const compose = parse(tree.read('docker-compose.yml', 'utf-8')!);
    expect(compose.services['churn-graph'].build.dockerfile).toBe(`tools/images/${graph}-graph.Dockerfile`);
    expect(parse(tree.read('apps/churn/k8s/base/kustomization.yaml', 'utf-8')!).components).toEqual(['../../../../tools/k8s/graph-v2']);
  });

  it.each([
    [{ name: 'x', backend: 'v2' as const, graph: 'kserve' as const, from: IRIS_ONNX }, 'is a onnx artifact, but --backend v2 --graph kserve needs a sklearn one'],
    [{ name: 'x', backend: 'onnx' as const, graph: 'triton' as const, from: IRIS_ONNX }, '--graph triton: backend onnx runs in process and pairs with no graph service'],
    [{ name: 'x', backend: 'tfserving' as const, graph: 'triton' as const }, '--graph triton: backend tfserving pairs with tfserving'],
  ])('refuses %j', async (options, message) => {
    await expect(modelGenerator(tree, options)).rejects.toThrow(message);
    expect(tree.listChanges().filter((c) => c.path.startsWith('apps/') || c.path.startsWith('models/'))).toEqual([]);
  });
});
