import { appInfo, fsReader, imageRecipes } from '../plugin/src/lib/app-info.js';

export interface RegistryTarget {
  registry: string;
  project: string;
}

export interface PlannedImage {
  app: string;
  image: string;
  /** The shared recipe (tools/images/<kind>.Dockerfile) it is built from. */
  dockerfile: string;
  /** Which app and model the shared recipe builds. */
  buildArgs: Record<string, string>;
  /** Everything to push: <registry>/<project>/<image>:<sha> and :<branch>. */
  references: string[];
}

/** Branch names are not valid tags as they are: `feature/x` → `feature-x`. */
export const branchTag = (branch: string) => branch.replace(/[^\w.-]/g, '-').replace(/^[.-]+/, '').slice(0, 128) || 'branch';

/** The images an app builds: its logic image, and its TF Serving image when paired. */
export function planImages(cwd: string, apps: readonly string[], target: RegistryTarget, sha: string, branch: string): PlannedImage[] {
  const read = fsReader(cwd);
  return apps.flatMap((app) => {
    const info = appInfo(app, read);
    if (!info) throw new Error(`apps/${app} is not a model app (its project.json has no metadata.modelyard)`);
    return imageRecipes(info).map(({ image, recipe: dockerfile }) => ({
      app,
      image,
      dockerfile,
      buildArgs: { APP: info.app, MODEL: info.model },
      references: [sha, branchTag(branch)].map((tag) => `${target.registry}/${target.project}/${image}:${tag}`),
    }));
  });
}
