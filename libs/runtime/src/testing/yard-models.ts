/**
 * A models folder for a yard, made of the workspace's example models under other names
 * (tests and the density benchmark): each copy is the real model, with its config's name
 * set to its folder and its reference.json kept, so its answers can be checked.
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WORKSPACE_MODELS } from './fixtures.js';

export interface YardModelCopy {
  /** The served name of the copy (its folder under the new MODELS_DIR). */
  name: string;
  /** The example model it copies: iris, penguins, cars. */
  from: string;
}

export async function makeYardModels(copies: readonly YardModelCopy[], root?: string): Promise<string> {
  const dir = root ?? (await mkdtemp(join(tmpdir(), 'modelyard-yard-')));
  for (const { name, from } of copies) {
    // digits is a tfserving model: it needs its graph service, which no yard copy has.
    await cp(join(WORKSPACE_MODELS, from), join(dir, name), { recursive: true, filter: (src) => !src.endsWith('models.config') });
    const config = JSON.parse(await readFile(join(WORKSPACE_MODELS, from, 'model.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, name, 'model.json'), JSON.stringify({ ...config, name }, null, 2));
  }
  return dir;
}

/** The feature rows of an example model's reference records, in its first input's field order. */
export function referenceRows(from: 'iris' | 'cars', records: Record<string, unknown>[]): number[][] {
  const fields = from === 'iris' ? ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] : ['Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration'];
  return records.map((r) => fields.map((f) => r[f] as number));
}
