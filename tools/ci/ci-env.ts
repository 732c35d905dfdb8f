import { git } from './git.js';

/**
 * Everything the CI scripts read from the environment (Jenkins sets BRANCH_NAME and
 * GIT_COMMIT itself; the Harbor ones come from the Jenkinsfile's environment block).
 */
export interface CiEnv {
  registry: string;
  project: string;
  branch: string;
  sha: string;
  tlsVerify: boolean;
}

export function readCiEnv(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): CiEnv {
  return {
    registry: env['HARBOR_REGISTRY'] || 'harbor.example.com',
    project: env['HARBOR_PROJECT'] || 'modelyard',
    branch: env['BRANCH_NAME'] || git(cwd, 'rev-parse', '--abbrev-ref', 'HEAD'),
    sha: env['GIT_COMMIT'] || git(cwd, 'rev-parse', 'HEAD'),
    tlsVerify: env['REGISTRY_TLS_VERIFY'] !== 'false',
  };
}

/** `--name value` pairs and bare words from argv. */
export function parseArgs(argv: readonly string[]): { flags: Record<string, string>; words: string[] } {
  const flags: Record<string, string> = {};
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--')) {
      const [key, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
      flags[key] = inline ?? argv[++i] ?? '';
    } else words.push(arg);
  }
  return { flags, words };
}
