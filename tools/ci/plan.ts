/**
 * Which images a commit range builds and pushes:
 *   npx tsx tools/ci/plan.ts [--base <rev>] [--head <rev>] [--json plan.json]
 * Without --base: the last green build of $BRANCH_NAME (tag last-green/<branch>), with the
 * fallbacks in base-commit.ts. Env: HARBOR_REGISTRY, HARBOR_PROJECT, BRANCH_NAME, GIT_COMMIT.
 */
import { writeFileSync } from 'node:fs';
import { affectedApps } from './affected-apps.js';
import { resolveBase } from './base-commit.js';
import { parseArgs, readCiEnv } from './ci-env.js';
import { git } from './git.js';
import { planImages, type PlannedImage } from './image-plan.js';

export interface Plan {
  base: string;
  baseReason: string;
  head: string;
  apps: string[];
  images: PlannedImage[];
}

export function makePlan(cwd: string, options: { base?: string; head?: string } = {}): Plan {
  const env = readCiEnv(cwd);
  const head = git(cwd, 'rev-parse', options.head ?? 'HEAD');
  const base = options.base ? { sha: git(cwd, 'rev-parse', options.base), reason: 'given' } : resolveBase(cwd, env.branch);
  const apps = affectedApps(cwd, base.sha, head);
  // Images are tagged with the commit being built, not necessarily GIT_COMMIT's.
  return { base: base.sha, baseReason: base.reason, head, apps, images: planImages(cwd, apps, env, head, env.branch) };
}

if (process.argv[1]?.endsWith('plan.ts')) {
  const { flags } = parseArgs(process.argv.slice(2));
  const plan = makePlan(process.cwd(), { base: flags['base'], head: flags['head'] });
  console.log(`base ${plan.base.slice(0, 12)} (${plan.baseReason}) → head ${plan.head.slice(0, 12)}`);
  console.log(plan.apps.length ? `affected apps: ${plan.apps.join(', ')}` : 'affected apps: none — nothing to build or push');
  for (const image of plan.images) for (const ref of image.references) console.log(`  ${image.app.padEnd(24)} ${ref}`);
  if (flags['json']) writeFileSync(flags['json'], `${JSON.stringify(plan, null, 2)}\n`);
}
