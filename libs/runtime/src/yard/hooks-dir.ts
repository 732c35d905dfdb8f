import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Hooks } from '../inference/hooks.js';

const MODULE = /^(.+)\.(?:js|mjs|ts|mts)$/;

/**
 * A yard's business logic, one module per model: `<dir>/<model>.ts` (compiled: `.js`)
 * exporting `hooks`, as an app's own src/hooks.ts does. Moving a model between its own app
 * and a yard moves that file. A missing folder is a yard without hooks.
 */
export async function hooksFromDir(dir: string | URL): Promise<Record<string, Hooks>> {
  const path = typeof dir === 'string' ? dir : fileURLToPath(dir);
  let files: string[];
  try {
    files = (await readdir(path)).sort();
  } catch {
    return {};
  }
  const hooks: Record<string, Hooks> = {};
  for (const file of files) {
    const m = MODULE.exec(file);
    if (!m || file.endsWith('.d.ts') || /\.test\.[mc]?[jt]s$/.test(file)) continue;
    const mod = (await import(pathToFileURL(join(path, file)).href)) as { hooks?: Hooks };
    if (!mod.hooks) throw new Error(`${join(path, file)} has no "hooks" export: write export const hooks: Hooks = { ... }`);
    hooks[m[1]!] = mod.hooks;
  }
  return hooks;
}
