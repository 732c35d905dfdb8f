import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** How a model runs; each kind has one shared image recipe in tools/images/. */
export type Backend = 'onnx' | 'tfjs' | 'tfserving';
export const BACKENDS: readonly Backend[] = ['onnx', 'tfjs', 'tfserving'];

/**
 * What is per-model about an app, and nothing else: read from its project.json
 * (`name`, extra `tags`, `metadata.modelyard.{model, devPort}`) and its model's model.json
 * (`backend`). Everything else (targets, image, manifests, smoke test) is derived from it.
 */
export interface AppInfo {
  app: string;
  /** The folder under models/ that the app serves. */
  model: string;
  backend: Backend;
  /** The port `nx serve` and the compose stack publish on 127.0.0.1. */
  devPort: number;
  tags: string[];
}

export interface AppProjectJson {
  name: string;
  tags?: string[];
  metadata?: { modelyard?: { model?: string; devPort?: number } };
}

/** Reads a workspace file, or undefined when it does not exist (fs or an Nx Tree). */
export type ReadFile = (path: string) => string | undefined;

export const fsReader =
  (root: string): ReadFile =>
  (path) => {
    try {
      return readFileSync(join(root, path), 'utf8');
    } catch {
      return undefined;
    }
  };

/** undefined when apps/<dir>/project.json is not a model app (e.g. a yard, or no project). */
export function appInfo(dir: string, read: ReadFile): AppInfo | undefined {
  const text = read(`apps/${dir}/project.json`);
  if (text === undefined) return undefined;
  const project = JSON.parse(text) as AppProjectJson;
  const meta = project.metadata?.modelyard;
  if (!meta) return undefined;
  const app = project.name ?? dir;
  const model = meta.model ?? app;
  const modelJson = read(`models/${model}/model.json`);
  if (modelJson === undefined) throw new Error(`apps/${dir}/project.json serves model "${model}", but models/${model}/model.json does not exist`);
  const backend = ((JSON.parse(modelJson) as { backend?: string }).backend ?? 'onnx') as Backend;
  if (!BACKENDS.includes(backend)) throw new Error(`models/${model}/model.json: backend "${backend}" must be one of ${BACKENDS.join(', ')}`);
  if (typeof meta.devPort !== 'number') throw new Error(`apps/${dir}/project.json: metadata.modelyard.devPort must be a number`);
  return { app, model, backend, devPort: meta.devPort, tags: project.tags ?? [] };
}

/** Every model app of a workspace on disk, in folder order. */
export function listApps(root: string): AppInfo[] {
  let dirs: string[] = [];
  try {
    dirs = readdirSync(join(root, 'apps')).sort();
  } catch {
    return [];
  }
  const read = fsReader(root);
  return dirs.map((d) => appInfo(d, read)).filter((a): a is AppInfo => a !== undefined);
}

/** The shared recipe each image of an app is built from (paths from the workspace root). */
export function imageRecipes(info: Pick<AppInfo, 'app' | 'backend'>): { image: string; recipe: string }[] {
  const images = [{ image: info.app, recipe: `tools/images/${info.backend}.Dockerfile` }];
  if (info.backend === 'tfserving') images.push({ image: `${info.app}-graph`, recipe: 'tools/images/tfserving-graph.Dockerfile' });
  return images;
}

/** The shared Kubernetes folders an app's manifests are built from. */
export function k8sSources(info: Pick<AppInfo, 'backend'>): string[] {
  return ['tools/k8s/model-app', 'tools/k8s/env', ...(info.backend === 'tfserving' ? ['tools/k8s/graph'] : [])];
}
