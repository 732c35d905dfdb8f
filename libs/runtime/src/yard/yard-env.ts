import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvError } from '../config/env.js';
import type { YardPolicy } from './model-cache.js';

/** Everything a yard reads from the environment, beside what every app reads (config/env.ts). */
export interface YardEnv extends YardPolicy {
  /** MODELS: comma-separated names or globs (`*`, `?`); unset = every model folder under MODELS_DIR. */
  models?: string[];
  /** PRELOAD: names or globs of models loaded at start (`*` = all); unset = none, all load on first request. */
  preload: string[];
}

function count(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new EnvError(`environment variable ${name}="${raw}" must be a non-negative integer`);
  return n;
}

const list = (raw: string | undefined): string[] | undefined => {
  const items = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return items.length ? items : undefined;
};

export function readYardEnv(env: NodeJS.ProcessEnv = process.env): YardEnv {
  const models = list(env['MODELS']);
  return {
    ...(models && { models }),
    preload: list(env['PRELOAD']) ?? [],
    maxLoaded: count(env, 'MAX_LOADED_MODELS', 0),
    memoryBudgetMb: count(env, 'MODEL_MEMORY_BUDGET_MB', 0),
    loadTimeoutMs: count(env, 'MODEL_LOAD_TIMEOUT_MS', 10_000),
    retryAfterSeconds: count(env, 'MODEL_RETRY_AFTER_SECONDS', 1),
    loadsAtOnce: Math.max(1, count(env, 'MODEL_LOADS_AT_ONCE', 1)),
  };
}

/** A glob over model names: `*` any run of characters, `?` one; everything else literal. */
export function globMatcher(pattern: string): (name: string) => boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const re = new RegExp(`^${source}$`);
  return (name) => re.test(name);
}

export const matchesAny = (patterns: readonly string[], name: string): boolean => patterns.some((p) => globMatcher(p)(name));

/**
 * The yard's models: the folders under MODELS_DIR that hold a model.json, narrowed by MODELS.
 * A literal name in MODELS with no folder is an operator's mistake, refused at start.
 */
export async function yardModelNames(modelsDir: string, patterns: readonly string[] | undefined): Promise<string[]> {
  let dirs: string[];
  try {
    dirs = (await readdir(modelsDir)).sort();
  } catch (err) {
    throw new EnvError(`MODELS_DIR="${modelsDir}" cannot be read: ${(err as Error).message}`);
  }
  const found: string[] = [];
  for (const d of dirs) {
    if (await stat(join(modelsDir, d, 'model.json')).then((s) => s.isFile(), () => false)) found.push(d);
  }
  if (!patterns) return found;
  for (const p of patterns) {
    if (!/[*?]/.test(p) && !found.includes(p)) throw new EnvError(`MODELS names "${p}", but ${join(modelsDir, p, 'model.json')} does not exist`);
  }
  const chosen = found.filter((name) => matchesAny(patterns, name));
  if (chosen.length === 0) throw new EnvError(`MODELS="${patterns.join(',')}" matches no model folder under ${modelsDir}`);
  return chosen;
}
