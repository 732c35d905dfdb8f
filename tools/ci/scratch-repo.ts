import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linkNodeModules, WORKSPACE } from '../scale/scratch-workspace.js';
import { git } from './git.js';

export { WORKSPACE };

/** A git repository holding a copy of the workspace (node_modules linked), one commit deep. */
export function scratchRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'modelyard-ci-'));
  for (const file of ['package.json', 'package-lock.json', 'nx.json', 'tsconfig.base.json', '.npmrc', '.env', 'README.md', 'docker-compose.yml']) cpSync(join(WORKSPACE, file), join(dir, file));
  const skip = (src: string) => !/\/(dist|node_modules|\.nx)(\/|$)/.test(src);
  for (const folder of ['apps', 'libs', 'models', 'docs', 'tools/plugin', 'tools/images', 'tools/k8s']) cpSync(join(WORKSPACE, folder), join(dir, folder), { recursive: true, filter: skip });
  linkNodeModules(dir);
  writeFileSync(join(dir, '.gitignore'), 'node_modules\n.nx\ndist\n');
  git(dir, 'init', '-q', '-b', 'main');
  commitAll(dir, 'workspace');
  return dir;
}

export function commitAll(dir: string, message: string): string {
  git(dir, 'add', '-A');
  git(dir, '-c', 'user.name=test', '-c', 'user.email=test@modelyard.invalid', 'commit', '-q', '--allow-empty', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}
