/**
 * One list of backends: the generator's (lib/backends.ts) is the runtime's registry, and
 * schema.json / schema.d.ts offer exactly it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backendDescriptor, backendKinds } from '../../libs/runtime/src/backends/registry.js';
import { BACKEND_KINDS, BACKENDS, GRAPHS, V2_GRAPHS } from '../plugin/src/lib/backends.js';

const schemaDir = join(__dirname, '../plugin/src/generators/model');
const schema = JSON.parse(readFileSync(join(schemaDir, 'schema.json'), 'utf8')) as { properties: Record<string, { enum?: string[] }> };
const types = readFileSync(join(schemaDir, 'schema.d.ts'), 'utf8');
const union = (values: readonly string[]) => values.map((v) => `'${v}'`).join(' | ');

describe('the backend lists', () => {
  it("the generator's backends are the runtime's registered ones", () => {
    expect(BACKEND_KINDS).toEqual(backendKinds());
  });

  it('a backend that runs in a graph service pairs with one, an in-process one with none', () => {
    for (const kind of BACKEND_KINDS) {
      const remote = backendDescriptor(kind).image.graph !== undefined;
      expect('graphs' in BACKENDS[kind], kind).toBe(remote);
    }
  });

  it('schema.json and schema.d.ts offer exactly these backends and graph services', () => {
    expect(schema.properties['backend']!.enum).toEqual(BACKEND_KINDS);
    expect(schema.properties['graph']!.enum).toEqual([...V2_GRAPHS]);
    expect(types).toContain(`backend?: ${union(BACKEND_KINDS)};`);
    expect(types).toContain(`graph?: ${union(V2_GRAPHS)};`);
  });

  it('every recipe and Kubernetes component named exists', () => {
    const root = join(__dirname, '../..');
    for (const path of [...Object.values(BACKENDS).map((b) => b.recipe), ...Object.values(GRAPHS).flatMap((g) => [g.recipe, `${g.k8s}/kustomization.yaml`])]) {
      expect(() => readFileSync(join(root, path)), path).not.toThrow();
    }
  });

  it("each app image keeps the packages its backend names, and they are the runtime's dependencies", () => {
    const root = join(__dirname, '../..');
    const runtimeDeps = (JSON.parse(readFileSync(join(root, 'libs/runtime/package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies;
    for (const kind of BACKEND_KINDS) {
      const recipe = readFileSync(join(root, BACKENDS[kind].recipe), 'utf8');
      // What the recipe prunes from node_modules: `rm -rf node_modules/<path> ...`.
      const pruned = [...recipe.matchAll(/rm -rf ((?:node_modules\/\S+\s*)+)/g)].flatMap((m) => m[1]!.trim().split(/\s+/).map((p) => p.replace(/^node_modules\//, '')));
      for (const pkg of backendDescriptor(kind).image.packages) {
        expect(runtimeDeps, `${kind}: ${pkg}`).toHaveProperty([pkg]);
        expect(pruned.filter((p) => pkg === p || pkg.startsWith(`${p}/`)), `${kind}'s recipe ${BACKENDS[kind].recipe} removes ${pkg}`).toEqual([]);
      }
    }
  });
});
