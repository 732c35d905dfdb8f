/**
 * In a real git repository built from the workspace: what a commit range selects.
 * A model's artifact → exactly its app; the runtime → every app; docs → none.
 */
import { execFile } from 'node:child_process';
import { appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { affectedApps } from './affected-apps.js';
import { resolveBase } from './base-commit.js';
import { markGreen } from './mark-green.js';
import { makePlan } from './plan.js';
import { commitAll, scratchRepo, WORKSPACE } from './scratch-repo.js';

let dir: string;
let first: string;
/** Every model app in the workspace. */
const ALL_APPS = readdirSync(join(WORKSPACE, 'apps')).filter((a) => existsSync(join(WORKSPACE, 'apps', a, 'project.json'))).sort();
beforeAll(() => {
  dir = scratchRepo();
  first = commitAll(dir, 'start');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Each case runs `nx show projects --affected` in a fresh repository: tens of seconds on a loaded
// 2-core machine, so the bound is generous.
describe('affected apps', { timeout: 300_000 }, () => {
  it("a change to one model's artifact selects exactly that app", () => {
    appendFileSync(join(dir, 'models/penguins/2/model.onnx'), Buffer.from([0]));
    const head = commitAll(dir, 'retrain penguins');
    expect(affectedApps(dir, first, head)).toEqual(['penguins']);
  });

  it('a change to libs/runtime selects every app', () => {
    const base = commitAll(dir, 'base');
    appendFileSync(join(dir, 'libs/runtime/src/index.ts'), '\n// a change\n');
    const head = commitAll(dir, 'runtime change');
    expect(ALL_APPS.length).toBeGreaterThanOrEqual(2);
    expect(affectedApps(dir, base, head)).toEqual(ALL_APPS);
  });

  it('a change to docs selects none', () => {
    const base = commitAll(dir, 'base');
    appendFileSync(join(dir, 'docs/add-a-model.md'), '\nmore words\n');
    appendFileSync(join(dir, 'README.md'), '\nmore words\n');
    const head = commitAll(dir, 'docs');
    expect(affectedApps(dir, base, head)).toEqual([]);
  });

  it('a change to a shared image recipe selects exactly the apps built from it, and changes nothing under apps/', () => {
    const base = commitAll(dir, 'base');
    appendFileSync(join(dir, 'tools/images/onnx.Dockerfile'), '\n# a change\n');
    const head = commitAll(dir, 'onnx recipe');
    expect(affectedApps(dir, base, head)).toEqual(['iris', 'penguins']);
    appendFileSync(join(dir, 'tools/images/tfserving-graph.Dockerfile'), '\n# a change\n');
    expect(affectedApps(dir, head, commitAll(dir, 'graph recipe'))).toEqual(['digits']);
  });

  it('a change to the shared Kubernetes base selects every app', () => {
    const base = commitAll(dir, 'base');
    appendFileSync(join(dir, 'tools/k8s/model-app/deployment.yaml'), '\n# a change\n');
    expect(affectedApps(dir, base, commitAll(dir, 'k8s base'))).toEqual(ALL_APPS);
  });

  it('plans images as <registry>/<project>/<app>:<sha> and :<branch>', () => {
    const base = commitAll(dir, 'base');
    appendFileSync(join(dir, 'models/iris/1/model.onnx'), Buffer.from([0]));
    const head = commitAll(dir, 'retrain iris');
    process.env['HARBOR_REGISTRY'] = 'harbor.test';
    process.env['BRANCH_NAME'] = 'feature/better-iris';
    const plan = makePlan(dir, { base });
    expect(plan.apps).toEqual(['iris']);
    expect(plan.images).toEqual([
      { app: 'iris', image: 'iris', dockerfile: 'tools/images/onnx.Dockerfile', buildArgs: { APP: 'iris', MODEL: 'iris' }, references: [`harbor.test/modelyard/iris:${head}`, 'harbor.test/modelyard/iris:feature-better-iris'] },
    ]);
  });

  it('one command prints the plan for a commit range', async () => {
    const { stdout } = await promisify(execFile)('npx', ['tsx', join(WORKSPACE, 'tools/ci/plan.ts'), '--base', `${first}`, '--head', 'HEAD'], { cwd: dir, env: { ...process.env, HARBOR_REGISTRY: 'harbor.test', BRANCH_NAME: 'main', NX_DAEMON: 'false' } });
    expect(stdout).toContain(`affected apps: ${ALL_APPS.join(', ')}`);
    expect(stdout).toMatch(/iris\s+harbor\.test\/modelyard\/iris:[0-9a-f]{40}/);
    expect(stdout).toMatch(/penguins\s+harbor\.test\/modelyard\/penguins:main/);
  });

  it('the base is the last green build, and a new branch falls back to everything', () => {
    expect(resolveBase(dir, 'main').reason).toContain('everything is affected');
    const green = commitAll(dir, 'green');
    markGreen(dir, 'main', green);
    commitAll(dir, 'next');
    expect(resolveBase(dir, 'main')).toEqual({ sha: green, reason: 'last green build of main (tag last-green/main)' });
  });
});
