import type { ReadFile } from './app-info';

/**
 * A yard: one app that serves many long-tail models from one process, loading them on
 * demand (libs/runtime/src/yard). Its project.json lists them:
 * `metadata.modelyard.yard.models` — moving a model into or out of a yard is that one line.
 */
export interface YardInfo {
  app: string;
  /** Folders under models/, in the order the yard lists them. */
  models: string[];
  devPort: number;
  tags: string[];
}

interface YardProjectJson {
  name?: string;
  tags?: string[];
  metadata?: { modelyard?: { yard?: { models?: unknown }; devPort?: number } };
}

/** undefined when apps/<dir>/project.json is not a yard (a model app, or no project). */
export function yardInfo(dir: string, read: ReadFile): YardInfo | undefined {
  const text = read(`apps/${dir}/project.json`);
  if (text === undefined) return undefined;
  const project = JSON.parse(text) as YardProjectJson;
  const meta = project.metadata?.modelyard;
  if (!meta?.yard) return undefined;
  const models = meta.yard.models;
  if (!Array.isArray(models) || !models.every((m) => typeof m === 'string')) throw new Error(`apps/${dir}/project.json: metadata.modelyard.yard.models must be a list of model names`);
  for (const m of models) {
    if (read(`models/${m}/model.json`) === undefined) throw new Error(`apps/${dir}/project.json: the yard serves model "${m}", but models/${m}/model.json does not exist`);
  }
  if (typeof meta.devPort !== 'number') throw new Error(`apps/${dir}/project.json: metadata.modelyard.devPort must be a number`);
  return { app: project.name ?? dir, models: [...models], devPort: meta.devPort, tags: project.tags ?? [] };
}

/** Every yard's image is built from this one recipe (models chosen by its MODELS build arg). */
export const YARD_RECIPE = 'tools/images/yard.Dockerfile';
