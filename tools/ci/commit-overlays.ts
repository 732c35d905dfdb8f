/**
 * Commits changed overlays and pushes them (GitOps: Argo CD or `kubectl apply -k` reads
 * them from the repository).   npx tsx tools/ci/commit-overlays.ts --message "sit: <sha>"
 * [--remote origin --branch main --attempts 5]. Does nothing when no overlay changed.
 *
 * The commit pipeline and the promotion pipeline both push here, and so do people: when the
 * remote has moved, fetch it, rebase the one overlay commit onto it and push again, a bounded
 * number of times. Never a force-push: someone else's commit is never overwritten.
 */
import { parseArgs, readCiEnv } from './ci-env.js';
import { git, tryGit } from './git.js';

export interface PushTarget {
  remote: string;
  branch: string;
  /** How many pushes to try in all (default 5). */
  attempts?: number;
  /** Wait before retry n (1-based); a little longer each time, so racing pipelines spread out. */
  backoffMs?: (retry: number) => number;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

export class PushFailedError extends Error {}

export function commitOverlays(cwd: string, message: string, push?: PushTarget): boolean {
  git(cwd, 'add', '--', ':(glob)apps/*/k8s/overlays/**');
  if (git(cwd, 'diff', '--cached', '--name-only') === '') return false;
  // [skip ci]: the commit only moves image tags; rebuilding for it would loop.
  git(cwd, '-c', 'user.name=modelyard-ci', '-c', 'user.email=ci@modelyard.invalid', 'commit', '-q', '-m', `${message} [skip ci]`);
  if (push) pushWithRebase(cwd, push);
  return true;
}

/** Pushes HEAD to remote/branch, rebasing onto a moved remote between attempts. */
export function pushWithRebase(cwd: string, target: PushTarget): number {
  const attempts = target.attempts ?? 5;
  const backoff = target.backoffMs ?? ((n) => 500 * n);
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      git(cwd, 'push', target.remote, `HEAD:refs/heads/${target.branch}`);
      return attempt;
    } catch (err) {
      last = ((err as { stderr?: string }).stderr ?? (err as Error).message).trim();
    }
    if (attempt === attempts) break;
    sleep(backoff(attempt));
    git(cwd, 'fetch', '-q', target.remote, target.branch);
    if (tryGit(cwd, '-c', 'user.name=modelyard-ci', '-c', 'user.email=ci@modelyard.invalid', 'rebase', '-q', 'FETCH_HEAD') === undefined) {
      const conflicts = tryGit(cwd, 'diff', '--name-only', '--diff-filter=U') ?? '';
      tryGit(cwd, 'rebase', '--abort');
      throw new PushFailedError(`the overlay commit conflicts with ${target.remote}/${target.branch} in ${conflicts.split('\n').join(', ') || 'unknown files'}; nothing was pushed (another pipeline or person changed the same overlay: re-run once it is settled)`);
    }
  }
  throw new PushFailedError(`could not push to ${target.remote}/${target.branch} after ${attempts} attempts (no force-push is ever tried); last error: ${last.split('\n').join(' ').slice(0, 500)}`);
}

if (process.argv[1]?.endsWith('commit-overlays.ts')) {
  const { flags } = parseArgs(process.argv.slice(2));
  const env = readCiEnv();
  const changed = commitOverlays(process.cwd(), flags['message'] ?? `deploy ${env.sha}`, {
    remote: flags['remote'] ?? 'origin',
    branch: flags['branch'] ?? env.branch,
    attempts: Number(flags['attempts'] ?? 5),
  });
  console.log(changed ? 'committed and pushed overlay changes' : 'no overlay changed');
}
