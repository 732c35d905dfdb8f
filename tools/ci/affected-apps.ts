import { execFileSync } from 'node:child_process';

/**
 * Apps (projects tagged type:app) that a change from base to head affects, per Nx's own
 * project graph: a model's artifact maps to its app through the app's `model` input, and
 * a runtime change reaches every app through its imports.
 */
export function affectedApps(cwd: string, base: string, head: string): string[] {
  const stdout = execFileSync('npx', ['nx', 'show', 'projects', '--affected', `--base=${base}`, `--head=${head}`, '--projects=tag:type:app', '--json'], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return (JSON.parse(stdout) as string[]).sort();
}
