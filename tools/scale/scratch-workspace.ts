import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The workspace these tools belong to: the nearest folder up from here (cwd) holding nx.json. */
function findWorkspace(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no nx.json in ${from} or above: run from the workspace`);
  }
}

// Found from the working directory (Nx and vitest run from the workspace root), because this
// file is loaded both as ESM (tools) and as CommonJS (the plugin's tests).
export const WORKSPACE = findWorkspace(process.cwd());

/**
 * A throwaway workspace: the runtime, the plugin, the shared recipes and base, the config;
 * node_modules linked. `files`: more of the workspace's top-level files to copy (a generator
 * that keeps docker-compose.yml in step needs it there).
 */
export function scratchWorkspace(prefix = 'modelyard-scale-', files: readonly string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const file of ['package.json', 'package-lock.json', 'nx.json', 'tsconfig.base.json', '.npmrc', '.env', ...files]) cpSync(join(WORKSPACE, file), join(dir, file));
  cpSync(join(WORKSPACE, 'libs/runtime'), join(dir, 'libs/runtime'), { recursive: true, filter: (src) => !src.includes('/dist') });
  for (const shared of ['tools/plugin', 'tools/images', 'tools/k8s']) cpSync(join(WORKSPACE, shared), join(dir, shared), { recursive: true });
  linkNodeModules(dir);
  writeFileSync(join(dir, '.gitignore'), 'node_modules\n.nx\ndist\n');
  return dir;
}

/**
 * node_modules for a copy of the workspace: every package linked from ours, except the
 * workspace packages, which must point at the copy's own libs/ and tools/ — else Nx
 * resolves `@modelyard/runtime` outside the copy and sees no app → runtime dependency.
 */
export function linkNodeModules(dir: string): void {
  mkdirSync(join(dir, 'node_modules/@modelyard'), { recursive: true });
  for (const entry of readdirSync(join(WORKSPACE, 'node_modules'))) {
    if (entry !== '@modelyard') symlinkSync(join(WORKSPACE, 'node_modules', entry), join(dir, 'node_modules', entry));
  }
  symlinkSync('../../libs/runtime', join(dir, 'node_modules/@modelyard/runtime'));
  symlinkSync('../../tools/plugin', join(dir, 'node_modules/@modelyard/tools'));
}

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'scale', GIT_AUTHOR_EMAIL: 'scale@modelyard', GIT_COMMITTER_NAME: 'scale', GIT_COMMITTER_EMAIL: 'scale@modelyard' } });
}

/**
 * The environment of an `nx` run nested in a test or tool: no daemon, no cloud, and no
 * invocation root of the outer run (Nx's loop detection would take the nested run for a cycle).
 */
export function nestedNxEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
  delete env['NX_INVOKED_BY_RUNNER'];
  delete env['NX_INVOCATION_ROOT_PID'];
  return env;
}

/** `npx nx <args>` in the workspace copy `dir`. */
export function nxIn(dir: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)('npx', ['nx', ...args], { cwd: dir, env: nestedNxEnv(), maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' });
}
