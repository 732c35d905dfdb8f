import type { Tree } from '@nx/devkit';
import { appInfo } from '../../lib/app-info';
import { syncCompose } from '../../lib/compose';
import { appNameFor, checkModelName } from '../../lib/model-name';
import { treeReader } from '../../lib/tree-apps';
import { removeModelFromYards } from '../yard/generator';

/** Undoes `nx g model`: the app, the model folder it serves, and the compose services. */
export async function removeModelGenerator(tree: Tree, options: { name: string; appName?: string }): Promise<void> {
  checkModelName(options.name);
  const app = appNameFor(options.name, options.appName);
  const info = tree.exists(`apps/${app}/project.json`) ? appInfo(app, treeReader(tree)) : undefined;
  const model = info?.model ?? options.name;
  const paths = [`apps/${app}`, `models/${model}`].filter((p) => tree.exists(p));
  // A model placed in a yard: out of its list, its hooks module and its Service.
  const inYard = removeModelFromYards(tree, { model, app });
  if (paths.length === 0 && !inYard) throw new Error(`There is no model "${options.name}" (neither apps/${app} nor models/${model} exists).`);
  for (const path of paths) tree.delete(path);
  syncCompose(tree);
}

export default removeModelGenerator;
