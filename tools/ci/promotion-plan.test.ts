/** The promotion pipeline's Plan stage: shows what would move, and changes nothing in the checkout. */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bumpOverlay } from './bump-overlay.js';
import { git } from './git.js';
import { overlayFile, readTag } from './overlay.js';
import { planPromotion } from './promotion-plan.js';
import { commitAll, scratchRepo } from './scratch-repo.js';

let cwd: string;
let dir: string;
beforeAll(() => {
  cwd = process.cwd();
  dir = scratchRepo();
  process.chdir(dir);
  bumpOverlay(['iris'], 'sit', 'abc123', { registry: 'harbor.test', project: 'modelyard' });
  commitAll(dir, 'sit: abc123');
});
afterAll(() => {
  process.chdir(cwd);
  rmSync(dir, { recursive: true, force: true });
});

describe('promotion plan', () => {
  it('lists what sit → stg would move, and leaves the checkout as it was', () => {
    expect(planPromotion(dir, 'sit-to-stg', [])).toEqual(['iris: sit → stg at abc123']);
    expect(readTag(overlayFile('iris', 'stg'), 'iris')).toBe('latest');
    expect(git(dir, 'status', '--porcelain')).toBe('');
    expect(git(dir, 'worktree', 'list').split('\n')).toHaveLength(1);
  });

  it('says when there is nothing to promote', () => {
    expect(planPromotion(dir, 'stg-to-prd', [])).toEqual(['nothing to promote: prd already runs what stg runs']);
  });

  it('refuses a rollback to a tag the environment never ran', () => {
    expect(() => planPromotion(dir, 'rollback', ['iris'], { env: 'prd', tag: 'abc123' })).toThrow('iris never ran abc123 in prd');
    expect(planPromotion(dir, 'rollback', ['iris'], { env: 'sit', tag: 'latest' })).toEqual(['iris: sit abc123 → latest']);
    expect(git(dir, 'status', '--porcelain')).toBe('');
  });
});
