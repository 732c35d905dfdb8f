/** Overlay bumps, promotion and the git steps around them, on copies of real overlays. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bumpOverlay } from './bump-overlay.js';
import { commitOverlays } from './commit-overlays.js';
import { git } from './git.js';
import { overlayFile, readTag } from './overlay.js';
import { promote } from './promote.js';
import { commitAll, scratchRepo } from './scratch-repo.js';

let cwd: string;
let dir: string;
beforeEach(() => {
  cwd = process.cwd();
  dir = scratchRepo();
  process.chdir(dir);
});
afterEach(() => process.chdir(cwd));

const target = { registry: 'harbor.test', project: 'modelyard' };

describe('overlays', () => {
  it('bump sets the image of one environment only, keeping the comments', () => {
    bumpOverlay(['penguins'], 'sit', 'abc123', target);
    expect(readTag(overlayFile('penguins', 'sit'), 'penguins')).toBe('abc123');
    expect(readTag(overlayFile('penguins', 'stg'), 'penguins')).toBe('latest');
    const text = readFileSync(overlayFile('penguins', 'sit'), 'utf8');
    expect(text).toContain('newName: harbor.test/modelyard/penguins');
    expect(text.split('\n')[0]).toMatch(/^# penguins in sit/);
  });

  it('promotion copies exactly what the lower environment runs, and only what differs', () => {
    bumpOverlay(['penguins'], 'sit', 'abc123', target);
    expect(promote('sit', 'stg')).toEqual([{ app: 'penguins', tag: 'abc123' }]);
    expect(readTag(overlayFile('penguins', 'stg'), 'penguins')).toBe('abc123');
    expect(readTag(overlayFile('iris', 'stg'), 'iris')).toBe('latest');
    expect(promote('sit', 'stg')).toEqual([]);
    expect(promote('stg', 'prd').map((p) => p.app)).toEqual(['penguins']);
  });

  it('commits and pushes overlay changes, and nothing when nothing changed', () => {
    const remote = mkdtempSync(join(tmpdir(), 'remote-'));
    git(remote, 'init', '-q', '--bare');
    git(dir, 'remote', 'add', 'origin', remote);
    git(dir, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
    expect(commitOverlays(dir, 'sit: nothing', { remote: 'origin', branch: 'main' })).toBe(false);
    bumpOverlay(['iris'], 'sit', 'fff999', target);
    expect(commitOverlays(dir, 'sit: fff999', { remote: 'origin', branch: 'main' })).toBe(true);
    expect(git(remote, 'log', '-1', '--format=%s', 'main')).toBe('sit: fff999 [skip ci]');
    expect(git(remote, 'show', '--name-only', '--format=', 'main')).toBe('apps/iris/k8s/overlays/sit/kustomization.yaml');
    commitAll(dir, 'unrelated');
  });
});
