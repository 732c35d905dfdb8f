/** `nx g model --placement yard` and `nx g yard` on an Nx Tree: what is written, and what is refused. */
import { resolve } from 'node:path';
import { readJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { yardInfo } from '../../lib/yard-info';
import { treeReader } from '../../lib/tree-apps';
import { yardTargets } from '../../nodes/yard-targets';
import { modelGenerator } from '../model/generator';
import { removeModelGenerator } from '../remove-model/generator';
import { yardGenerator } from './generator';

const IRIS_ONNX = resolve(__dirname, '../../../../../models/iris/1/model.onnx');
let tree: Tree;
beforeEach(() => {
  tree = createTreeWithEmptyWorkspace();
});

describe('--placement yard', () => {
  it('lists the model in the yard (made on the way), with a hooks module and a Service under its app name', async () => {
    await modelGenerator(tree, { name: 'churn', from: IRIS_ONNX, placement: 'yard' });
    await modelGenerator(tree, { name: 'half_plus_two', from: IRIS_ONNX, placement: 'yard' });
    expect(tree.exists('apps/churn')).toBe(false);
    expect(tree.exists('models/churn/1/model.onnx')).toBe(true);
    expect(readJson(tree, 'apps/yard/project.json').metadata.modelyard).toEqual({ devPort: 8080, yard: { models: ['churn', 'half_plus_two'] } });
    expect(tree.read('apps/yard/src/hooks/half_plus_two.ts', 'utf-8')).toContain('export const hooks: Hooks = {}');
    const services = parseAllDocuments(tree.read('apps/yard/k8s/base/model-services.yaml', 'utf-8')!)
      .map((d) => d.toJS())
      .filter(Boolean);
    expect(services.map((s) => [s.metadata.name, s.spec.selector['app.kubernetes.io/name']])).toEqual([
      ['churn', 'yard'],
      ['half-plus-two', 'yard'],
    ]);
    const compose = parse(tree.read('docker-compose.yml', 'utf-8')!);
    expect(Object.keys(compose.services)).toEqual(['yard']);
    expect(compose.services.yard.environment.MODELS).toBe('churn,half_plus_two');
    // The next own app gets the next free dev port: the yard's counts as used.
    await modelGenerator(tree, { name: 'fraud', from: IRIS_ONNX });
    expect(readJson(tree, 'apps/fraud/project.json').metadata.modelyard.devPort).toBe(8081);
  });

  it('a named yard, and targets inferred from its list', async () => {
    await yardGenerator(tree, { name: 'yard-risk', port: 8300 });
    await modelGenerator(tree, { name: 'churn', from: IRIS_ONNX, placement: 'yard', yard: 'yard-risk' });
    const info = yardInfo('yard-risk', treeReader(tree))!;
    expect(info).toEqual({ app: 'yard-risk', models: ['churn'], devPort: 8300, tags: [] });
    const targets = yardTargets(info);
    expect(targets['serve']!.options.command).toContain('MODELS=${MODELS:-churn}');
    expect(targets['container']!.inputs).toContain('{workspaceRoot}/tools/images/yard.Dockerfile');
    await expect(yardGenerator(tree, { name: 'yard-risk' })).rejects.toThrow(/apps\/yard-risk already exists/);
  });

  it('refuses a model with a graph service of its own (a yard serves in process) and leaves the tree as it was', async () => {
    await expect(modelGenerator(tree, { name: 'digits', backend: 'tfserving', placement: 'yard' })).rejects.toThrow(/--placement yard serves models in process .* a tfserving model has its own graph service/);
    await expect(modelGenerator(tree, { name: 'digits', backend: 'v2', placement: 'yard' })).rejects.toThrow(/a v2 model has its own graph service/);
    expect(tree.exists('models/digits')).toBe(false);
    expect(tree.exists('apps/yard')).toBe(false);
  });

  it('remove-model takes a model out of its yard: list, hooks, Service, model folder', async () => {
    await modelGenerator(tree, { name: 'churn', from: IRIS_ONNX, placement: 'yard' });
    await modelGenerator(tree, { name: 'fraud', from: IRIS_ONNX, placement: 'yard' });
    await removeModelGenerator(tree, { name: 'churn' });
    expect(readJson(tree, 'apps/yard/project.json').metadata.modelyard.yard.models).toEqual(['fraud']);
    expect(tree.exists('apps/yard/src/hooks/churn.ts')).toBe(false);
    expect(tree.exists('models/churn')).toBe(false);
    const names = parseAllDocuments(tree.read('apps/yard/k8s/base/model-services.yaml', 'utf-8')!).map((d) => d.toJS()?.metadata?.name).filter(Boolean);
    expect(names).toEqual(['fraud']);
  });
});
