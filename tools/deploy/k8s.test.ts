/**
 * Every app's overlays, built by kustomize, validate against the Kubernetes API schemas,
 * and hang together (selectors, HPA target, per-environment replicas and images).
 */
import { readdirSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateK8sObject, unknownFields } from './k8s-schema.js';
import { kustomizeBuild, type K8sObject } from './kustomize.js';

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
