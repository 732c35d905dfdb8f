/**
 * A generated v2 app's manifests (--backend v2 --graph triton), built by kustomize against
 * the shared base and the graph-v2 component, validate and pair the logic app with its graph.
 */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelGenerator } from '../plugin/src/generators/model/generator.js';
import { validateK8sObject } from './k8s-schema.js';
import { kustomizeBuild, type K8sObject } from './kustomize.js';

const WORKSPACE = resolve(__dirname, '../..');
let root: string;

beforeAll(async () => {
  const tree = createTreeWithEmptyWorkspace();
  await modelGenerator(tree, { name: 'iris_triton', backend: 'v2', graph: 'triton', from: join(WORKSPACE, 'models/iris/1/model.onnx') });
  // The generated files, beside a copy of the shared Kubernetes folders they point at.
  root = mkdtempSync(join(tmpdir(), 'k8s-v2-'));
  cpSync(join(WORKSPACE, 'tools/k8s'), join(root, 'tools/k8s'), { recursive: true });
  for (const change of tree.listChanges()) {
    if (!change.path.startsWith('apps/') || !change.content) continue;
    mkdirSync(dirname(join(root, change.path)), { recursive: true });
    writeFileSync(join(root, change.path), change.content);
  }
});

describe('the v2 graph pair on Kubernetes', () => {
  it.each(['sit', 'prd'])('%s: validates; the logic app reaches its own graph Service over V2_URL', async (env) => {
    const objects = await kustomizeBuild(join(root, 'apps/iris-triton/k8s/overlays', env));
    expect(objects.flatMap(validateK8sObject)).toEqual([]);
    const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name) as K8sObject & Record<string, any>;
    const logic = find('Deployment', 'iris-triton');
    const graph = find('Deployment', 'iris-triton-graph');
    const service = find('Service', 'iris-triton-graph');
    expect(service.spec.selector).toEqual(graph.spec.selector.matchLabels);
    expect(service.spec.ports.map((p: { port: number }) => p.port)).toEqual([8000, 8001]);
    expect(graph.spec.template.spec.containers[0].image).toMatch(/\/iris-triton-graph:[\w.-]+$/);
    expect(graph.spec.template.spec.containers[0].readinessProbe.httpGet).toEqual({ path: '/v2/health/ready', port: 'rest' });
    const vars = logic.spec.template.spec.containers[0].env as { name: string; value: string }[];
    expect(vars).toContainEqual({ name: 'GRAPH_SERVICE', value: 'iris-triton-graph' });
    expect(vars.findIndex((e) => e.name === 'GRAPH_SERVICE')).toBeLessThan(vars.findIndex((e) => e.name === 'V2_URL'));
    expect(vars).toContainEqual({ name: 'V2_URL', value: 'http://$(GRAPH_SERVICE):8000' });
  });
});
