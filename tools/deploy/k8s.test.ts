/**
 * Every app's overlays, built by kustomize, validate against the Kubernetes API schemas,
 * and hang together (selectors, HPA target, per-environment replicas and images).
 */
import { readdirSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateK8sObject, unknownFields } from './k8s-schema.js';
import { kustomizeBuild, type K8sObject } from './kustomize.js';
import { checkApp } from './check-app.js';

const apps = readdirSync('apps').filter((a) => existsSync(`apps/${a}/k8s/overlays`));
const envs = ['sit', 'stg', 'prd'] as const;

describe.each(apps)('%s manifests', (app) => {
  it.each(envs)('%s overlay validates and is consistent', async (env) => {
    const objects = await kustomizeBuild(`apps/${app}/k8s/overlays/${env}`);
    expect(objects.flatMap(validateK8sObject)).toEqual([]);
    const get = (kind: string, name = app) => objects.find((o) => o.kind === kind && o.metadata.name === name) as K8sObject & Record<string, any>;
    const deployment = get('Deployment');
    const service = get('Service');
    const hpa = get('HorizontalPodAutoscaler');
    const pdb = get('PodDisruptionBudget');
    expect((deployment.metadata as Record<string, unknown>)['namespace']).toBe(`modelyard-${env}`);
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: app });
    expect(hpa.spec.minReplicas).toBe(deployment.spec.replicas);
    expect(deployment.spec.template.spec.containers[0].image).toMatch(new RegExp(`/${app}:[\\w.-]+$`));
  });

  it('scales up from sit to prd', async () => {
    const replicas = await Promise.all(envs.map(async (env) => (await kustomizeBuild(`apps/${app}/k8s/overlays/${env}`)).find((o) => o.kind === 'Deployment')!['spec'] as { replicas: number }));
    expect(replicas.map((s) => s.replicas)).toEqual([1, 2, 3]);
  });
});

describe('the graph pair (tfserving apps)', () => {
  const paired = apps.filter((a) => existsSync(`models/${a}/models.config`));
  it.each(paired)('%s reaches its own graph Service, renamed with the app', async (app) => {
    const objects = await kustomizeBuild(`apps/${app}/k8s/overlays/prd`);
    const graph = objects.find((o) => o.kind === 'Service' && o.metadata.name === `${app}-graph`) as K8sObject & Record<string, any>;
    const graphDeployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === `${app}-graph`) as K8sObject & Record<string, any>;
    expect(graph.spec.selector).toEqual(graphDeployment.spec.selector.matchLabels);
    expect(graphDeployment.spec.template.spec.containers[0].image).toMatch(new RegExp(`/${app}-graph:[\\w.-]+$`));
    const logic = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === app) as K8sObject & Record<string, any>;
    const env = logic.spec.template.spec.containers[0].env as { name: string; value: string }[];
    // Kubernetes expands $(GRAPH_SERVICE) because it is defined before the URLs that use it.
    expect(env.findIndex((e) => e.name === 'GRAPH_SERVICE')).toBeLessThan(env.findIndex((e) => e.name === 'TFSERVING_URL'));
    expect(env).toContainEqual({ name: 'GRAPH_SERVICE', value: `${app}-graph` });
    expect(env).toContainEqual({ name: 'TFSERVING_URL', value: 'http://$(GRAPH_SERVICE):8501' });
    // The environment's sizes reach the logic Deployment only.
    expect(logic.spec.replicas).toBe(3);
    expect(graphDeployment.spec.replicas).not.toBe(3);
  });
});

describe('nx manifests <app>', () => {
  it.each(apps)('%s: every overlay builds and validates', async (app) => {
    expect(await checkApp(app)).toEqual([]);
  });

  it('names an overlay that does not build', async () => {
    expect((await checkApp('no-such-app')).join('\n')).toMatch(/apps\/no-such-app\/k8s\/overlays\/sit: /);
  });
});

describe('the validator itself', () => {
  it('catches a misspelled field, which schema validation alone lets through', async () => {
    const [deployment] = (await kustomizeBuild(`apps/${apps[0]}/k8s/base`)).filter((o) => o.kind === 'Deployment');
    const container = (deployment!['spec'] as any).template.spec.containers[0];
    container.readinesProbe = container.readinessProbe;
    expect(validateK8sObject(deployment!)).toContain(`Deployment/${apps[0]}: unknown field spec.template.spec.containers[0].readinesProbe`);
    expect(unknownFields({ metadata: { name: 'x', labelz: {} } }, 'V1Service', '')).toEqual(['.metadata.labelz']);
  });

  it('catches a wrong type', async () => {
    const [deployment] = (await kustomizeBuild(`apps/${apps[0]}/k8s/base`)).filter((o) => o.kind === 'Deployment');
    (deployment!['spec'] as any).replicas = 'two';
    expect(validateK8sObject(deployment!).join('\n')).toMatch(/replicas/);
  });
});
