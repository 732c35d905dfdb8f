import type { Tree } from '@nx/devkit';
import { removeComposeServices } from '../../lib/compose';
import { appNameFor, checkModelName } from '../../lib/model-name';

/** Undoes `nx g model`: the app, the model folder and the compose services. */
export async function removeModelGenerator(tree: Tree, options: { name: string; appName?: string }): Promise<void> {
  checkModelName(options.name);
  const app = appNameFor(options.name, options.appName);
  const paths = [`apps/${app}`, `models/${options.name}`].filter((p) => tree.exists(p));
  if (paths.length === 0) throw new Error(`There is no model "${options.name}" (neither apps/${app} nor models/${options.name} exists).`);
  for (const path of paths) tree.delete(path);
  removeComposeServices(tree, app);
}

export default removeModelGenerator;
