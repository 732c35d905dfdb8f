import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WORKSPACE } from './scratch-workspace.js';

import type * as NxTree from 'nx/src/generators/tree';
import type * as ModelGenerator from '../plugin/src/generators/model/generator.js';
import type * as Compose from '../plugin/src/lib/compose.js';

const require = createRequire(import.meta.url);
// What `nx g` does under the hood: the generator on a tree over the disk, then one flush.
const { FsTree, flushChanges } = require('nx/src/generators/tree') as typeof NxTree;

export const modelName = (i: number) => `model-${String(i).padStart(4, '0')}`;

/** How often the other backends occur: every `tfjsEvery`-th model is tfjs, every `tfservingEvery`-th tfserving. */
export interface BackendMix {
  tfjsEvery: number;
  tfservingEvery: number;
}
export const DEFAULT_MIX: BackendMix = { tfjsEvery: 50, tfservingEvery: 100 };

/** Which backend model i uses: mostly ONNX (always model 0). */
export function backendOf(i: number, mix: BackendMix = DEFAULT_MIX): 'onnx' | 'tfjs' | 'tfserving' {
  if (i > 0 && i % mix.tfservingEvery === 0) return 'tfserving';
  if (i > 0 && i % mix.tfjsEvery === 0) return 'tfjs';
  return 'onnx';
}

/** A SavedModel-shaped folder: the generator only checks the layout (TF Serving reads the rest). */
function savedModelFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scale-savedmodel-'));
  writeFileSync(join(dir, 'saved_model.pb'), 'scale-fixture');
  mkdirSync(join(dir, 'variables'));
  writeFileSync(join(dir, 'variables', 'variables.index'), 'x');
  return dir;
}

/**
 * Generates `count` models into `dir` with the model generator's own steps (the ONNX ones
 * from the iris artifact, whose signature it reads; tfjs from cars; tfserving from a
 * SavedModel-shaped folder), then rewrites docker-compose.yml once, as a batch import would,
 * instead of once per model as `nx g model` does. Returns seconds.
 */
export async function generateModels(dir: string, count: number, mix: BackendMix = DEFAULT_MIX): Promise<number> {
  // The plugin is a CommonJS package: its exports arrive as `default` or by name.
  const gen = (await import('../plugin/src/generators/model/generator.js')) as typeof ModelGenerator & { default: typeof ModelGenerator };
  const compose = (await import('../plugin/src/lib/compose.js')) as typeof Compose & { default: typeof Compose };
  const { planModel, writeModelFolder, writeAppFiles } = typeof gen.planModel === 'function' ? gen : gen.default;
  const { syncCompose } = typeof compose.syncCompose === 'function' ? compose : compose.default;
  const from = { onnx: join(WORKSPACE, 'models/iris/1/model.onnx'), tfjs: join(WORKSPACE, 'models/cars/1'), tfserving: savedModelFixture() };
  const started = performance.now();
  const tree = new FsTree(dir, false);
  for (let i = 0; i < count; i++) {
    const backend = backendOf(i, mix);
    const plan = planModel(tree, { name: modelName(i), backend, from: from[backend], port: 10000 + i });
    await writeModelFolder(tree, plan);
    writeAppFiles(tree, plan);
  }
  syncCompose(tree);
  flushChanges(dir, tree.listChanges());
  return (performance.now() - started) / 1000;
}
