/** Rollback in a real git repository: only to a tag the environment ran before, app by app. */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bumpOverlay } from './bump-overlay.js';
import { overlayFile, readTag } from './overlay.js';
import { promote } from './promote.js';
import { rollback } from './rollback.js';
import { commitAll, scratchRepo } from './scratch-repo.js';

const target = { registry: 'harbor.test', project: 'modelyard' };
let cwd: string;
let dir: string;
beforeAll(() => {
  cwd = process.cwd();
  dir = scratchRepo();
  process.chdir(dir);
  for (const tag of ['v1aaa', 'v2bbb']) {
    bumpOverlay(['digits', 'iris'], 'sit', tag, target);
    promote('sit', 'stg');
    promote('stg', 'prd');
    commitAll(dir, `deploy ${tag}`);
  }
});
afterAll(() => {
  process.chdir(cwd);
  rmSync(dir, { recursive: true, force: true });
});

describe('rollback', () => {
  it('puts the named app (and its graph image) back on a tag it ran before', () => {
    expect(readTag(overlayFile('digits', 'prd'), 'digits')).toBe('v2bbb');
    expect(rollback(dir, 'prd', 'v1aaa', ['digits'], target)).toEqual([{ app: 'digits', from: 'v2bbb', to: 'v1aaa' }]);
    expect(readTag(overlayFile('digits', 'prd'), 'digits')).toBe('v1aaa');
    expect(readTag(overlayFile('digits', 'prd'), 'digits-graph')).toBe('v1aaa');
    expect(readTag(overlayFile('iris', 'prd'), 'iris')).toBe('v2bbb');
    expect(readTag(overlayFile('digits', 'stg'), 'digits')).toBe('v2bbb');
  });

  it('refuses a tag the environment never ran, no apps, and a malformed tag', () => {
    expect(() => rollback(dir, 'prd', 'c0ffee', ['iris'], target)).toThrow('iris never ran c0ffee in prd');
    expect(() => rollback(dir, 'prd', 'v1aaa', [], target)).toThrow('name the apps');
    expect(() => rollback(dir, 'prd', 'v1aaa; rm -rf /', ['iris'], target)).toThrow('is not an image tag');
    expect(readTag(overlayFile('iris', 'prd'), 'iris')).toBe('v2bbb');
  });
});
