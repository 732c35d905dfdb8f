/**
 * What the benchmark needs besides Node, checked up front: it installs nothing itself,
 * it names the Debian packages that are missing and stops.
 */
import { spawnSync } from 'node:child_process';

/** Debian's Python, where python3-sklearn and friends install (not a pyenv python3 on PATH). */
export const PYTHON = process.env['BENCH_PYTHON'] ?? '/usr/bin/python3';

interface Requirement {
  what: string;
  debian: string;
  present: () => boolean;
}

function succeeds(command: string, args: string[]): boolean {
  const r = spawnSync(command, args, { stdio: 'ignore' });
  return r.status === 0;
}

const pythonModule = (module: string, debian: string): Requirement => ({
  what: `Python module ${module} (for ${PYTHON})`,
  debian,
  present: () => succeeds(PYTHON, ['-c', `import ${module}`]),
});

const REQUIREMENTS: Requirement[] = [
  { what: PYTHON, debian: 'python3', present: () => succeeds(PYTHON, ['--version']) },
  pythonModule('sklearn', 'python3-sklearn'),
  pythonModule('pandas', 'python3-pandas'),
  pythonModule('flask', 'python3-flask'),
  pythonModule('onnx', 'python3-onnx'),
  { what: 'gunicorn on PATH', debian: 'gunicorn', present: () => succeeds('gunicorn', ['--version']) },
  // `wrk -v` exits 1 on some builds: finding the binary is what matters.
  { what: 'wrk on PATH', debian: 'wrk', present: () => spawnSync('wrk', ['-v'], { stdio: 'ignore' }).error === undefined },
];

/** An explanation of what is missing and how to install it, or undefined when all is there. */
export function missingPrerequisites(): string | undefined {
  const missing = REQUIREMENTS.filter((r) => !r.present());
  if (missing.length === 0) return undefined;
  const packages = [...new Set(missing.map((r) => r.debian))].join(' ');
  return [
    'vs-flask: missing what the benchmark needs (it installs nothing by itself):',
    ...missing.map((r) => `  - ${r.what}  (Debian package ${r.debian})`),
    '',
    `Install them with:  sudo apt-get update && sudo apt-get install -y ${packages}`,
    'or point BENCH_PYTHON at a Python that has scikit-learn, pandas, flask and onnx.',
  ].join('\n');
}

export function pythonVersions(): Record<string, string> {
  const r = spawnSync(PYTHON, ['-c', [
    'import json, platform, sklearn, pandas, flask, numpy, onnx',
    'from importlib.metadata import version',
    'print(json.dumps({"python": platform.python_version(), "scikit-learn": sklearn.__version__, "pandas": pandas.__version__,',
    ' "numpy": numpy.__version__, "flask": version("flask"), "onnx": onnx.__version__, "gunicorn": version("gunicorn")}))',
  ].join('\n')], { encoding: 'utf8' });
  return r.status === 0 ? (JSON.parse(r.stdout) as Record<string, string>) : {};
}
