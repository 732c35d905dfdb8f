import type { Tree } from '@nx/devkit';
import { appInfo, type AppInfo, type ReadFile } from './app-info';
import { yardInfo, type YardInfo } from './yard-info';

/** Reads workspace files through an Nx Tree (generators see their own pending changes). */
export const treeReader =
  (tree: Tree): ReadFile =>
  (path) =>
    tree.exists(path) ? (tree.read(path, 'utf-8') ?? undefined) : undefined;

/** Every model app in the Tree, in folder order. */
export function treeApps(tree: Tree): AppInfo[] {
  if (!tree.exists('apps')) return [];
  const read = treeReader(tree);
  return tree
    .children('apps')
    .sort()
    .map((dir) => appInfo(dir, read))
    .filter((a): a is AppInfo => a !== undefined);
}

/** Every yard in the Tree, in folder order. */
export function treeYards(tree: Tree): YardInfo[] {
  if (!tree.exists('apps')) return [];
  const read = treeReader(tree);
  return tree
    .children('apps')
    .sort()
    .map((dir) => yardInfo(dir, read))
    .filter((y): y is YardInfo => y !== undefined);
}
