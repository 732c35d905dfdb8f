import { createRequire } from 'node:module';
import { join } from 'node:path';
import { WORKSPACE } from './scratch-workspace.js';

import type * as NxTree from 'nx/src/generators/tree';
import type * as ModelGenerator from '../plugin/src/generators/model/generator.js';

const require = createRequire(import.meta.url);
// What `nx g` does under the hood: the generator on a tree over the disk, then one flush.
const { FsTree, flushChanges } = require('nx/src/generators/tree') as typeof NxTree;
type Generator = typeof ModelGenerator;

export const modelName = (i: number) => `model-${String(i).padStart(4, '0')}`;

/** Generates `count` ONNX models into `dir`, each from the iris artifact; returns seconds. */
export async function generateModels(dir: string, count: number): Promise<number> {
  // The plugin is a CommonJS package: its exports arrive as `default` or by name.
  const plugin = (await import('../plugin/src/generators/model/generator.js')) as Generator & { default: Generator };
  const modelGenerator = plugin.modelGenerator ?? plugin.default.modelGenerator;
  const started = performance.now();
  const tree = new FsTree(dir, false);
  for (let i = 0; i < count; i++) {
    await modelGenerator(tree, { name: modelName(i), from: join(WORKSPACE, 'models/iris/1/model.onnx'), port: 10000 + i });
  }
  flushChanges(dir, tree.listChanges());
  return (performance.now() - started) / 1000;
}
