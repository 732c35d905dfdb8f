/**
 * `nx manifests <app>`: builds the app's sit/stg/prd overlays with kustomize and validates
 * every object against the Kubernetes API schemas. Its inputs are the app's k8s folder and
 * the shared base (tools/k8s), so a change to the shared Deployment re-checks every app.
 */
import { kustomizeBuild } from './kustomize.js';
import { validateK8sObject } from './k8s-schema.js';

export const ENVIRONMENTS = ['sit', 'stg', 'prd'] as const;

/** Problems found, one line each; empty when every overlay builds and validates. */
export async function checkApp(app: string): Promise<string[]> {
  const problems: string[] = [];
  for (const env of ENVIRONMENTS) {
    const dir = `apps/${app}/k8s/overlays/${env}`;
    try {
      const objects = await kustomizeBuild(dir);
      if (!objects.some((o) => o.kind === 'Deployment' && o.metadata.name === app)) problems.push(`${dir}: no Deployment named ${app}`);
      problems.push(...objects.flatMap(validateK8sObject).map((p) => `${dir}: ${p}`));
    } catch (err) {
      problems.push(`${dir}: ${(err as Error).message.trim().split('\n')[0]}`);
    }
  }
  return problems;
}

if (process.argv[1]?.endsWith('check-app.ts')) {
  const app = process.argv[2];
  if (!app) {
    console.error('usage: check-app.ts <app>');
    process.exit(2);
  }
  const problems = await checkApp(app);
  for (const p of problems) console.error(p);
  if (problems.length > 0) process.exit(1);
  console.log(`${app}: sit, stg and prd manifests build and validate`);
}
