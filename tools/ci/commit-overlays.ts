/**
 * Commits changed overlays and pushes them (GitOps: Argo CD or `kubectl apply -k` reads
 * them from the repository).   npx tsx tools/ci/commit-overlays.ts --message "sit: <sha>"
 * [--remote origin --branch main]. Does nothing when no overlay changed.
 */
import { parseArgs, readCiEnv } from './ci-env.js';
import { git } from './git.js';

export function commitOverlays(cwd: string, message: string, push?: { remote: string; branch: string }): boolean {
  git(cwd, 'add', '--', ':(glob)apps/*/k8s/overlays/**');
  if (git(cwd, 'diff', '--cached', '--name-only') === '') return false;
  // [skip ci]: the commit only moves image tags; rebuilding for it would loop.
  git(cwd, '-c', 'user.name=modelyard-ci', '-c', 'user.email=ci@modelyard.invalid', 'commit', '-q', '-m', `${message} [skip ci]`);
  if (push) git(cwd, 'push', push.remote, `HEAD:refs/heads/${push.branch}`);
  return true;
}

if (process.argv[1]?.endsWith('commit-overlays.ts')) {
  const { flags } = parseArgs(process.argv.slice(2));
  const env = readCiEnv();
  const changed = commitOverlays(process.cwd(), flags['message'] ?? `deploy ${env.sha}`, { remote: flags['remote'] ?? 'origin', branch: flags['branch'] ?? env.branch });
  console.log(changed ? 'committed and pushed overlay changes' : 'no overlay changed');
}
