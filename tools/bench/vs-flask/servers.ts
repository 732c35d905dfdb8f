/** The servers measured, and how each is started and asked whether it is ready. */
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type ServerId = 'flask' | 'modelyard' | 'modelyard-2p' | 'modelyard-ort' | 'node-json' | 'node-constant';

/** The models folder with `onnx.execution: inline` written into the model's config (main.ts makes it). */
export const ORT_MODELS = 'models-onnxruntime';

/**
 * A models folder `to` holding `model` copied from the models folder `from`, with
 * `onnx.execution` written into its model.json when given. Returns `to`.
 */
export async function modelsWithExecution(from: string, to: string, model: string, execution?: string): Promise<string> {
  await rm(join(to, model), { recursive: true, force: true });
  await cp(join(from, model), join(to, model), { recursive: true });
  if (execution) {
    const file = join(to, model, 'model.json');
    const config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...config, onnx: { execution } }));
  }
  return to;
}

export interface ServerSpec {
  id: ServerId;
  title: string;
  command: string;
  args: (port: number) => string[];
  env: (port: number) => NodeJS.ProcessEnv;
  cwd?: string;
  /** GET path that answers 200 once the server can take traffic. */
  readyPath: string;
  /** POST path of the scoring request; the same body for every server. */
  scorePath: string;
  /** Serves the model: its labels are checked and its RSS and cold start reported. */
  servesModel: boolean;
}

export interface Layout {
  root: string;
  here: string;
  scratch: string;
}

export function serverSpecs({ root, here, scratch }: Layout): ServerSpec[] {
  const base = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  /** The built app serving the bench's models, with `env` on top of its usual settings. */
  const app = (id: ServerId, title: string, env: NodeJS.ProcessEnv): ServerSpec => ({
    id,
    title,
    command: process.execPath,
    args: () => [join(scratch, 'app', 'dist', 'main.js')],
    env: (port) => ({ ...base, HOST: '127.0.0.1', PORT: String(port), MODELS_DIR: join(scratch, 'models'), ...env }),
    cwd: root,
    readyPath: '/v2/health/ready',
    scorePath: '/get_score',
    servesModel: true,
  });
  const specs: ServerSpec[] = [
    {
      id: 'flask',
      title: 'the old Flask service, gunicorn, 2 sync workers',
      command: 'gunicorn',
      // --timeout 120 instead of 30: on a busy machine importing pandas and scikit-learn took
      // a worker over 30 s and gunicorn killed it while booting. No request comes near either.
      args: (port) => ['--workers', '2', '--worker-class', 'sync', '--timeout', '120', '--bind', `127.0.0.1:${port}`, 'flask_app:app'],
      env: () => ({ ...base, ARTIFACTS_DIR: join(scratch, 'flask') }),
      cwd: here,
      readyPath: '/health',
      scorePath: '/get_score',
      servesModel: true,
    },
    // As the app runs in its image: settings from the environment, default log level.
    app('modelyard', 'modelyard, generated-style app, built JS (`node app/dist/main.js`)', {}),
    // The same built app, as an operator would run it to use both cores: node:cluster,
    // two server processes behind one port (libs/runtime/src/server/processes.ts).
    app('modelyard-2p', 'modelyard, same app with `PROCESSES=2` (two server processes, one port)', { PROCESSES: '2' }),
    // The same app with the model on onnxruntime (inline, on the event loop) instead of
    // modelyard's interpreter, which `auto` picks for this graph: the engines side by side.
    app('modelyard-ort', 'modelyard, same app with `"onnx": {"execution": "inline"}` (onnxruntime instead of the interpreter)', {
      MODELS_DIR: join(scratch, ORT_MODELS),
    }),
    {
      id: 'node-json',
      title: 'bare `node:http`: read the body, `JSON.parse`, `JSON.stringify` a small reply',
      command: process.execPath,
      args: () => [join(here, 'bare-json.mjs')],
      env: (port) => ({ ...base, HOST: '127.0.0.1', PORT: String(port) }),
      readyPath: '/',
      scorePath: '/get_score',
      servesModel: false,
    },
    {
      id: 'node-constant',
      title: 'bare `node:http`, body read but not parsed, constant reply',
      command: process.execPath,
      args: () => [join(here, 'bare-constant.mjs')],
      env: (port) => ({ ...base, HOST: '127.0.0.1', PORT: String(port) }),
      readyPath: '/',
      scorePath: '/get_score',
      servesModel: false,
    },
  ];
  return specs;
}

/** The generated app's main.ts (tools/plugin's template) as tsc emits it, for the benchmark's model. */
export function appMain(modelName: string): string {
  return [
    "import { serve } from '@modelyard/runtime';",
    '// HOST, PORT and MODELS_DIR come from the environment.',
    `await serve({ model: ${JSON.stringify(modelName)}, hooks: {} });`,
    '',
  ].join('\n');
}
