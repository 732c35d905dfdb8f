/**
 * The promotion pipeline's Plan stage: checks its parameters and prints what would change,
 * changing nothing.   npx tsx tools/ci/promotion-plan.ts --action sit-to-stg|stg-to-prd|rollback
 *                     [--env <env> --tag <tag>] [app...]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, readCiEnv } from './ci-env.js';
import { git } from './git.js';
import { ENVIRONMENTS, type Environment } from './overlay.js';
import { promote } from './promote.js';
import { rollback } from './rollback.js';

export const ACTIONS = ['sit-to-stg', 'stg-to-prd', 'rollback'] as const;
export type Action = (typeof ACTIONS)[number];

/** What the action would do, computed in a throwaway worktree so the checkout stays untouched. */
export function planPromotion(cwd: string, action: Action, apps: string[], rollbackTo?: { env: Environment; tag: string }): string[] {
  const scratch = mkdtempSync(join(tmpdir(), 'promotion-plan-'));
  git(cwd, 'worktree', 'add', '-q', '--detach', scratch, 'HEAD');
  const here = process.cwd();
  try {
    process.chdir(scratch);
    if (action === 'rollback') {
      if (!rollbackTo) throw new Error('rollback needs --env and --tag');
      return rollback(scratch, rollbackTo.env, rollbackTo.tag, apps, readCiEnv(scratch)).map((c) => `${c.app}: ${rollbackTo.env} ${c.from} → ${c.to}`);
    }
    const [from, to] = action.split('-to-') as [Environment, Environment];
    const moved = promote(from, to, apps).map((p) => `${p.app}: ${from} → ${to} at ${p.tag}`);
    return moved.length > 0 ? moved : [`nothing to promote: ${to} already runs what ${from} runs`];
  } finally {
    process.chdir(here);
    git(cwd, 'worktree', 'remove', '--force', scratch);
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('promotion-plan.ts')) {
  const { flags, words } = parseArgs(process.argv.slice(2));
  const action = flags['action'] as Action;
  if (!ACTIONS.includes(action) || (action === 'rollback' && (!ENVIRONMENTS.includes(flags['env'] as Environment) || !flags['tag']))) {
    console.error(`usage: promotion-plan.ts --action ${ACTIONS.join('|')} [--env sit|stg|prd --tag <tag>] [app...]`);
    process.exit(2);
  }
  try {
    const lines = planPromotion(process.cwd(), action, words, action === 'rollback' ? { env: flags['env'] as Environment, tag: flags['tag']! } : undefined);
    for (const line of lines) console.log(line);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
