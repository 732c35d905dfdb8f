import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WORKSPACE = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** A throwaway workspace: the runtime, the plugin and the config, node_modules linked. */
export function scratchWorkspace(prefix = 'modelyard-scale-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const file of ['package.json', 'package-lock.json', 'nx.json', 'tsconfig.base.json', '.npmrc']) cpSync(join(WORKSPACE, file), join(dir, file));
  cpSync(join(WORKSPACE, 'libs/runtime'), join(dir, 'libs/runtime'), { recursive: true, filter: (src) => !src.includes('/dist') });
  cpSync(join(WORKSPACE, 'tools/plugin'), join(dir, 'tools/plugin'), { recursive: true });
  symlinkSync(join(WORKSPACE, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, '.gitignore'), 'node_modules\n.nx\ndist\n');
  return dir;
}

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'scale', GIT_AUTHOR_EMAIL: 'scale@modelyard', GIT_COMMITTER_NAME: 'scale', GIT_COMMITTER_EMAIL: 'scale@modelyard' } });
}
