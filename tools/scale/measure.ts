import { execFileSync } from 'node:child_process';

/** Wall-clock seconds and stdout of one `nx` command in `dir`, daemon off (as in CI). */
export function timeNx(dir: string, args: string[]): { seconds: number; stdout: string } {
  const started = performance.now();
  const stdout = execFileSync('npx', ['nx', ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_SKIP_NX_CACHE: 'false' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { seconds: (performance.now() - started) / 1000, stdout };
}
