import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Tree } from '@nx/devkit';
import type { ArtifactKind } from '../../lib/backends';

export type { ArtifactKind } from '../../lib/backends';

/** What --from points at, judged by what is there rather than by the backend asked for. */
export function artifactKind(from: string): ArtifactKind {
  if (!existsSync(from)) throw new Error(`--from ${from}: no such file or folder`);
  if (statSync(from).isFile()) {
    if (from.endsWith('.onnx')) return 'onnx';
    if (/\.(joblib|pkl)$/.test(from)) return 'sklearn';
    throw new Error(`--from ${from}: expected an .onnx file, a scikit-learn .joblib/.pkl file, a tfjs model folder (model.json) or a SavedModel folder (saved_model.pb)`);
  }
  if (existsSync(join(from, 'saved_model.pb'))) return 'savedmodel';
  if (existsSync(join(from, 'model.json'))) return 'tfjs';
  throw new Error(`--from ${from}: the folder holds neither model.json (tfjs) nor saved_model.pb (SavedModel)`);
}

/** Copies a file or a folder from disk into the tree under `dest`. */
export function copyIntoTree(tree: Tree, from: string, dest: string): void {
  if (statSync(from).isFile()) {
    tree.write(dest, readFileSync(from));
    return;
  }
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else tree.write(join(dest, relative(from, path)), readFileSync(path));
    }
  };
  walk(from);
}
