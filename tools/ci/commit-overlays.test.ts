/**
 * commit-overlays against real git repositories: a remote that moved while the pipeline ran,
 * a remote that keeps refusing, and a conflicting overlay change. Never a force-push.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bumpOverlay } from './bump-overlay.js';
import { commitOverlays, PushFailedError } from './commit-overlays.js';
import { git } from './git.js';
import { overlayFile } from './overlay.js';
import { commitAll, scratchRepo } from './scratch-repo.js';

const target = { registry: 'harbor.test', project: 'modelyard' };
const noWait = () => 0;
let cwd: string;
let dir: string;
let remote: string;

/** A second clone of the remote: another pipeline, or a person. */
function otherClone(): string {
  const other = mkdtempSync(join(tmpdir(), 'other-'));
  git(other, 'clone', '-q', remote, '.');
  return other;
}

beforeAll(() => {
  cwd = process.cwd();
  dir = scratchRepo();
  remote = mkdtempSync(join(tmpdir(), 'remote-'));
  git(remote, 'init', '-q', '--bare', '-b', 'main');
  git(dir, 'remote', 'add', 'origin', remote);
  git(dir, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
  process.chdir(dir);
});
afterAll(() => {
  process.chdir(cwd);
  for (const d of [dir, remote]) rmSync(d, { recursive: true, force: true });
});

describe('commit-overlays', () => {
  it('rebases onto a remote that moved meanwhile and pushes, keeping the other commit', () => {
    git(dir, 'fetch', '-q', 'origin');
    git(dir, 'reset', '-q', '--hard', 'origin/main');
    const other = otherClone();
    appendFileSync(join(other, 'README.md'), '\nsomeone else was faster\n');
    const theirs = commitAll(other, 'their change');
    git(other, 'push', '-q', 'origin', 'HEAD:refs/heads/main');

    bumpOverlay(['iris'], 'sit', 'aaa111', target);
    expect(commitOverlays(dir, 'sit: aaa111', { remote: 'origin', branch: 'main', backoffMs: noWait })).toBe(true);
    const log = git(remote, 'log', '--format=%s', 'main').split('\n');
    expect(log.slice(0, 2)).toEqual(['sit: aaa111 [skip ci]', 'their change']);
    // Theirs is an ancestor of what was pushed: nothing was overwritten.
    expect(git(remote, 'merge-base', '--is-ancestor', theirs, 'main')).toBe('');
    expect(git(remote, 'show', 'main:' + overlayFile('iris', 'sit'))).toContain('newTag: aaa111');
  });

  it('gives up after the bounded number of attempts, naming them, when the remote keeps refusing', () => {
    const count = join(remote, 'attempts');
    writeFileSync(count, '');
    writeFileSync(join(remote, 'hooks', 'pre-receive'), `#!/bin/sh\necho x >> "${count}"\necho "refused by policy" >&2\nexit 1\n`);
    chmodSync(join(remote, 'hooks', 'pre-receive'), 0o755);
    try {
      bumpOverlay(['iris'], 'sit', 'bbb222', target);
      expect(() => commitOverlays(dir, 'sit: bbb222', { remote: 'origin', branch: 'main', attempts: 3, backoffMs: noWait })).toThrow(/after 3 attempts \(no force-push is ever tried\).*refused by policy/);
      expect(readFileSync(count, 'utf8').trim().split('\n')).toHaveLength(3);
      expect(git(remote, 'log', '-1', '--format=%s', 'main')).toBe('sit: aaa111 [skip ci]');
    } finally {
      rmSync(join(remote, 'hooks', 'pre-receive'));
      git(dir, 'reset', '-q', '--hard', 'origin/main');
    }
  });

  it('stops on a conflicting change to the same overlay, pushes nothing and leaves no rebase behind', () => {
    git(dir, 'fetch', '-q', 'origin');
    git(dir, 'reset', '-q', '--hard', 'origin/main');
    const other = otherClone();
    process.chdir(other);
    bumpOverlay(['iris'], 'sit', 'ccc333', target);
    process.chdir(dir);
    git(other, '-c', 'user.name=p', '-c', 'user.email=p@x', 'commit', '-qam', 'a person pins iris');
    git(other, 'push', '-q', 'origin', 'HEAD:refs/heads/main');

    bumpOverlay(['iris'], 'sit', 'ddd444', target);
    let error: unknown;
    try {
      commitOverlays(dir, 'sit: ddd444', { remote: 'origin', branch: 'main', backoffMs: noWait });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PushFailedError);
    expect((error as Error).message).toContain(`conflicts with origin/main in ${overlayFile('iris', 'sit')}`);
    expect(git(remote, 'log', '-1', '--format=%s', 'main')).toBe('a person pins iris');
    expect(git(dir, 'status', '--porcelain=v1', '--branch').split('\n')[0]).not.toMatch(/rebase|no branch/);
  });
});
