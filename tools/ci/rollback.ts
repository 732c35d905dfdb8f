/**
 * Puts an environment back on an image tag it ran before, without rebuilding:
 *   npx tsx tools/ci/rollback.ts --env prd --tag <sha> <app>...
 * Only a tag that the environment's overlay has deployed before (in git history) is accepted,
 * so a typo or an untested build cannot reach prd through the rollback door.
 */
import { appInfo, fsReader, imageRecipes } from '../plugin/src/lib/app-info.js';
import { parseArgs, readCiEnv } from './ci-env.js';
import { git } from './git.js';
import { ENVIRONMENTS, overlayFile, readTag, setImage, type Environment } from './overlay.js';

/** The overlay commits that deployed `tag`, newest first. */
export function deployedBefore(cwd: string, app: string, env: Environment, tag: string): string[] {
  const out = git(cwd, 'log', '--format=%H', '-G', `newTag: ${tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, '--', overlayFile(app, env));
  return out === '' ? [] : out.split('\n');
}

export function rollback(cwd: string, env: Environment, tag: string, apps: readonly string[], target: { registry: string; project: string }): { app: string; from: string; to: string }[] {
  if (apps.length === 0) throw new Error('name the apps to roll back (a rollback never applies to everything at once)');
  if (!/^[\w][\w.-]{0,127}$/.test(tag)) throw new Error(`"${tag}" is not an image tag`);
  const read = fsReader(cwd);
  const changes: { app: string; from: string; to: string }[] = [];
  for (const app of apps) {
    const info = appInfo(app, read);
    if (!info) throw new Error(`apps/${app} is not a model app`);
    if (deployedBefore(cwd, app, env, tag).length === 0) throw new Error(`${app} never ran ${tag} in ${env} (no overlay commit set it): not a rollback`);
    const file = `${cwd}/${overlayFile(app, env)}`;
    const from = readTag(file, app);
    for (const { image } of imageRecipes(info)) setImage(file, image, `${target.registry}/${target.project}/${image}`, tag);
    changes.push({ app, from, to: tag });
  }
  return changes;
}

if (process.argv[1]?.endsWith('rollback.ts')) {
  const { flags, words } = parseArgs(process.argv.slice(2));
  const env = flags['env'] as Environment;
  if (!ENVIRONMENTS.includes(env) || !flags['tag']) {
    console.error('usage: rollback.ts --env sit|stg|prd --tag <previous tag> <app>...');
    process.exit(2);
  }
  try {
    for (const c of rollback(process.cwd(), env, flags['tag'], words, readCiEnv())) console.log(`${c.app}: ${env} ${c.from} → ${c.to} (rollback)`);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
