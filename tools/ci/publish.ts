/**
 * Builds and pushes a plan's images:  npx tsx tools/ci/publish.ts --plan plan.json
 * Logs in first when HARBOR_USER and HARBOR_PASSWORD are set (Jenkins' withCredentials).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { buildImage, detectEngine, pushImage, type Engine } from '../container/engine.js';
import { exec } from '../container/exec.js';
import { parseArgs, readCiEnv } from './ci-env.js';
import type { Plan } from './plan.js';

export async function login(engine: Engine, registry: string, user: string, password: string, tlsVerify: boolean): Promise<void> {
  const args = ['login', '-u', user, '--password-stdin', registry];
  if (engine !== 'docker') args.splice(1, 0, `--tls-verify=${tlsVerify}`);
  execFileSync(engine === 'buildah' ? 'buildah' : engine, args, { input: password, stdio: ['pipe', 'inherit', 'inherit'] });
}

/** Compiles the apps, builds each image once, pushes it under every reference. Returns what was pushed. */
export async function publish(plan: Plan, options: { tlsVerify: boolean; engine?: Engine; noCache?: boolean; cwd?: string }): Promise<string[]> {
  if (plan.images.length === 0) return [];
  const engine = options.engine ?? (await detectEngine());
  const cwd = options.cwd ?? '.';
  await exec('npx', ['nx', 'run-many', '-t', 'build', `--projects=${plan.apps.join(',')}`], { env: { ...process.env, NX_DAEMON: 'false' }, cwd });
  const pushed: string[] = [];
  for (const image of plan.images) {
    const local = `localhost/${image.image}:${plan.head.slice(0, 12)}`;
    await buildImage({ dockerfile: `${cwd}/${image.dockerfile}`, context: cwd, tags: [local], buildArgs: image.buildArgs, engine, noCache: options.noCache });
    for (const destination of image.references) {
      await pushImage({ image: local, destination, tlsVerify: options.tlsVerify, engine });
      pushed.push(destination);
    }
  }
  return pushed;
}

if (process.argv[1]?.endsWith('publish.ts')) {
  const { flags } = parseArgs(process.argv.slice(2));
  const plan = JSON.parse(readFileSync(flags['plan'] ?? 'plan.json', 'utf8')) as Plan;
  const env = readCiEnv();
  const engine = await detectEngine();
  if (process.env['HARBOR_USER'] && process.env['HARBOR_PASSWORD']) await login(engine, env.registry, process.env['HARBOR_USER'], process.env['HARBOR_PASSWORD'], env.tlsVerify);
  for (const ref of await publish(plan, { tlsVerify: env.tlsVerify, engine })) console.log(`pushed ${ref}`);
}
