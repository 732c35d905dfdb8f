import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface RegistryTarget {
  registry: string;
  project: string;
}

export interface PlannedImage {
  app: string;
  image: string;
  dockerfile: string;
  /** Everything to push: <registry>/<project>/<image>:<sha> and :<branch>. */
  references: string[];
}

/** Branch names are not valid tags as they are: `feature/x` → `feature-x`. */
export const branchTag = (branch: string) => branch.replace(/[^\w.-]/g, '-').replace(/^[.-]+/, '').slice(0, 128) || 'branch';

/** The images an app builds: its logic image, and its TF Serving image when paired. */
export function planImages(cwd: string, apps: readonly string[], target: RegistryTarget, sha: string, branch: string): PlannedImage[] {
  return apps.flatMap((app) => {
    const images = [{ image: app, dockerfile: `apps/${app}/Dockerfile` }];
    if (existsSync(join(cwd, `apps/${app}/graph/Dockerfile`))) images.push({ image: `${app}-graph`, dockerfile: `apps/${app}/graph/Dockerfile` });
    return images.map(({ image, dockerfile }) => ({
      app,
      image,
      dockerfile,
      references: [sha, branchTag(branch)].map((tag) => `${target.registry}/${target.project}/${image}:${tag}`),
    }));
  });
}
