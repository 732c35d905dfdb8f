import type { Tree } from '@nx/devkit';
import { treeApps, treeYards } from '../../lib/tree-apps';

const FIRST_PORT = 8080;

/** The lowest dev port from 8080 up that no model app or yard uses yet. */
export function nextDevPort(tree: Tree): number {
  const used = new Set([...treeApps(tree), ...treeYards(tree)].map((a) => a.devPort));
  let port = FIRST_PORT;
  while (used.has(port)) port++;
  return port;
}
