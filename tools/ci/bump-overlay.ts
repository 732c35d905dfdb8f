/**
 * Points an environment's overlay at the images a build pushed:
 *   npx tsx tools/ci/bump-overlay.ts --env sit --tag <sha> app1 app2 ...
 * Env: HARBOR_REGISTRY, HARBOR_PROJECT.
 */
import { appInfo, fsReader, imageRecipes } from '../plugin/src/lib/app-info.js';
import { parseArgs, readCiEnv } from './ci-env.js';
import { ENVIRONMENTS, overlayFile, setImage, type Environment } from './overlay.js';

export function bumpOverlay(apps: readonly string[], env: Environment, tag: string, target: { registry: string; project: string }): string[] {
  const changed: string[] = [];
  for (const app of apps) {
    const file = overlayFile(app, env);
    const info = appInfo(app, fsReader(process.cwd()));
    if (!info) throw new Error(`apps/${app} is not a model app (its project.json has no metadata.modelyard)`);
    for (const { image } of imageRecipes(info)) setImage(file, image, `${target.registry}/${target.project}/${image}`, tag);
    changed.push(file);
  }
  return changed;
}

if (process.argv[1]?.endsWith('bump-overlay.ts')) {
  const { flags, words } = parseArgs(process.argv.slice(2));
  const env = flags['env'] as Environment;
  if (!ENVIRONMENTS.includes(env) || !flags['tag']) {
    console.error('usage: bump-overlay.ts --env sit|stg|prd --tag <tag> <app>...');
    process.exit(2);
  }
  for (const file of bumpOverlay(words, env, flags['tag'], readCiEnv())) console.log(`updated ${file}`);
}
