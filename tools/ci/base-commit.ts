import { git, tryGit } from './git.js';

/** The tag CI moves to a commit once its pipeline is green: last-green/<branch>. */
export const lastGreenTag = (branch: string) => `last-green/${branch.replace(/[^\w.-]/g, '-')}`;

export interface BaseCommit {
  sha: string;
  reason: string;
}

/**
 * What a build compares against. The last green build of this branch, so a failed build's
 * changes are tested again next time (HEAD~1 would skip them). Without one (a new branch, a
 * first build): where the branch left the default branch; without that either, the empty
 * tree — everything is affected, which is slow but never wrong.
 */
export function resolveBase(cwd: string, branch: string, defaultBranch = 'main'): BaseCommit {
  const tag = lastGreenTag(branch);
  const green = tryGit(cwd, 'rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`);
  if (green) return { sha: green, reason: `last green build of ${branch} (tag ${tag})` };
  if (branch !== defaultBranch) {
    for (const ref of [`origin/${defaultBranch}`, defaultBranch]) {
      const fork = tryGit(cwd, 'merge-base', 'HEAD', ref);
      if (fork) return { sha: fork, reason: `no ${tag} yet: where ${branch} left ${ref}` };
    }
  }
  const emptyTree = git(cwd, 'hash-object', '-t', 'tree', '/dev/null');
  return { sha: emptyTree, reason: `no ${tag} yet and no fork point: everything is affected` };
}
