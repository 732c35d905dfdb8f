import { spawn } from 'node:child_process';

export interface ExecResult {
  stdout: string;
  stderr: string;
}

/** Runs a command without a shell; rejects with its stderr when it fails. */
export function exec(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; inherit?: boolean; cwd?: string } = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', options.inherit ? 'inherit' : 'pipe', options.inherit ? 'inherit' : 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}${stderr ? `:\n${stderr.trim().split('\n').slice(-15).join('\n')}` : ''}`));
    });
  });
}

export async function succeeds(command: string, args: readonly string[]): Promise<boolean> {
  return exec(command, args).then(
    () => true,
    () => false,
  );
}
