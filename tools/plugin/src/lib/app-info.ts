import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { BACKENDS, BACKEND_KINDS, GRAPHS, graphOf, isBackend, type Backend, type GraphKind } from './backends';

export type { Backend, GraphKind } from './backends';

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
  /** The graph service paired with the app (tfserving, triton, kserve, mlserver); none in process. */
  graph?: GraphKind;
  /** The port `nx serve` and the compose stack publish on 127.0.0.1. */
  devPort: number;
  tags: string[];
}

export interface AppProjectJson {
  name: string;
  tags?: string[];
  metadata?: { modelyard?: { model?: string; devPort?: number; graph?: string } };
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
  if (!meta || 'yard' in meta) return undefined; // a yard: lib/yard-info.ts
  const app = project.name ?? dir;
  const model = meta.model ?? app;
  const modelJson = read(`models/${model}/model.json`);
  if (modelJson === undefined) throw new Error(`apps/${dir}/project.json serves model "${model}", but models/${model}/model.json does not exist`);
  const backend = (JSON.parse(modelJson) as { backend?: string }).backend ?? 'onnx';
  if (!isBackend(backend)) throw new Error(`models/${model}/model.json: backend "${backend}" must be one of ${BACKEND_KINDS.join(', ')}`);
  if (typeof meta.devPort !== 'number') throw new Error(`apps/${dir}/project.json: metadata.modelyard.devPort must be a number`);
  let graph: GraphKind | undefined;
  try {
    graph = graphOf(backend, meta.graph);
  } catch (err) {
    throw new Error(`apps/${dir}/project.json: metadata.modelyard.graph: ${(err as Error).message}`);
  }
  return { app, model, backend, ...(graph && { graph }), devPort: meta.devPort, tags: project.tags ?? [] };
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
export function imageRecipes(info: Pick<AppInfo, 'app' | 'backend' | 'graph'>): { image: string; recipe: string }[] {
  const images: { image: string; recipe: string }[] = [{ image: info.app, recipe: BACKENDS[info.backend].recipe }];
  if (info.graph) images.push({ image: `${info.app}-graph`, recipe: GRAPHS[info.graph].recipe });
  return images;
}

/** The shared Kubernetes folders an app's manifests are built from. */
export function k8sSources(info: Pick<AppInfo, 'graph'>): string[] {
  return ['tools/k8s/model-app', 'tools/k8s/env', ...(info.graph ? [GRAPHS[info.graph].k8s] : [])];
}
