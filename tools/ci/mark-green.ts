/**
 * After a green build: moves last-green/<branch> to the built commit and pushes the tag,
 * so the next build's base is this one.   npx tsx tools/ci/mark-green.ts [--remote origin]
 */
import { lastGreenTag } from './base-commit.js';
import { parseArgs, readCiEnv } from './ci-env.js';
import { git } from './git.js';

export function markGreen(cwd: string, branch: string, sha: string, remote?: string): string {
  const tag = lastGreenTag(branch);
  git(cwd, 'tag', '-f', tag, sha);
  if (remote) git(cwd, 'push', '-f', remote, `refs/tags/${tag}`);
  return tag;
}

if (process.argv[1]?.endsWith('mark-green.ts')) {
  const { flags } = parseArgs(process.argv.slice(2));
  const env = readCiEnv();
  console.log(`moved ${markGreen(process.cwd(), env.branch, env.sha, flags['remote'] ?? 'origin')} to ${env.sha}`);
}
