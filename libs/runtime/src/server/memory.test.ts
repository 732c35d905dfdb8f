/**
 * Memory of a real single-model app process (iris, run from source): what its main thread
 * loads while it serves probes, scrapes and predictions (no Express, console, gRPC or tfjs:
 * each loads only when used or configured), and idle RSS under a ceiling. The assertions are
 * on the modules loaded, not on timing; the RSS ceiling is generous (run from source, tsx
 * adds ~40 MB per isolate, and the machine is shared). docs/benchmarks/memory.md has the
 * built app's figures and where they go.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { copyModel, WORKSPACE_MODELS } from '../testing/fixtures.js';

const WORKSPACE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const CEILING_MB = 230;

interface Loaded {
  packages: string[];
  required: string[];
  runtimeModules: string[];
}

interface Probe extends Loaded {
  rssMb: number;
  threads: number;
  grpcPort: number | null;
  served: { ready: number; metrics: number; predict?: number };
  after?: Loaded & { status: number };
}

/** iris' first reference record as a TF Serving row, so the probe serves a real prediction. */
function irisPredictBody(): string {
  const reference = JSON.parse(readFileSync(join(WORKSPACE_MODELS, 'iris', '1', 'reference.json'), 'utf8')) as { records: Record<string, number>[] };
  const r = reference.records[0]!;
  return JSON.stringify({ instances: [[r['sepal_length'], r['sepal_width'], r['petal_length'], r['petal_width']]] });
}

async function probe(env: Record<string, string>): Promise<Probe> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--conditions=development', 'libs/runtime/src/server/testing-apps/memory-probe.ts'], {
    cwd: WORKSPACE,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', MODELS_DIR: WORKSPACE_MODELS, LOG_LEVEL: 'warn', MODEL: 'iris', GRPC_PORT: '', PROCESSES: '1', PROBE_PORT: '', ...env },
    timeout: 120_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Probe;
}

const all = (l: Loaded) => [...l.packages, ...l.required];
/** Packages a model served over HTTP by onnxruntime needs none of. */
const NOT_FOR_SERVING = ['express', 'pino-http', 'body-parser', 'router', 'swagger-ui-dist', '@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs', '@tensorflow/tfjs', '@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm'];
/** Runtime modules that are the Express side, the console, gRPC or another backend's code. */
const notForServing = (m: string) =>
  m === 'server/express-app.ts' ||
  m === 'protocols/v2/metadata-routes.ts' ||
  m === 'protocols/tfserving/routes.ts' ||
  m.startsWith('protocols/grpc/') ||
  (m.startsWith('console/') && m !== 'console/status/traffic-history.ts') ||
  (/^backends\/(tfjs|tfserving|v2)\//.test(m) && !m.endsWith('/descriptor.ts'));

describe('memory of a single-model app', () => {
  it(`serves probes, scrapes and predictions without loading Express, the console, gRPC or tfjs; the first other request loads Express; idles under ${CEILING_MB} MB RSS`, async () => {
    const plain = await probe({ PROBE_PREDICT: irisPredictBody(), PROBE_GET: '/v2' });
    expect(plain.served).toEqual({ ready: 200, metrics: 200, predict: 200 });
    // The recorder sees packages and the runtime's own modules (else the absences prove nothing).
    expect(all(plain)).toContain('prom-client');
    // iris runs in the worker pool: onnxruntime-node is loaded in the worker, not on the main thread.
    expect(all(plain)).not.toContain('onnxruntime-node');
    expect(plain.runtimeModules).toContain('server/dispatch.ts');
    expect(plain.runtimeModules).toContain('backends/onnx/onnx-backend.ts');

    expect(all(plain).filter((p) => NOT_FOR_SERVING.includes(p))).toEqual([]);
    expect(plain.runtimeModules.filter(notForServing)).toEqual([]);
    expect(plain.grpcPort).toBeNull();
    expect(plain.rssMb).toBeLessThan(CEILING_MB);

    // GET /v2 is an Express route: it loads the Express side, which answers it.
    expect(plain.after?.status).toBe(200);
    expect(all(plain.after!)).toContain('express');
    expect(plain.after!.runtimeModules).toEqual(expect.arrayContaining(['server/express-app.ts', 'protocols/v2/metadata-routes.ts', 'console/console-routes.ts']));
    // Still no gRPC or tfjs: those come with their configuration, not with Express.
    expect(all(plain.after!).filter((p) => p.startsWith('@grpc/') || p.startsWith('@tensorflow/'))).toEqual([]);
  }, 240_000);

  it('a model in the interpreter: onnxruntime is loaded nowhere, and no inference thread starts', async () => {
    const modelsDir = await copyModel('iris', [1], { onnx: { execution: 'interpreter' } });
    const interpreted = await probe({ MODELS_DIR: modelsDir, PROBE_PREDICT: irisPredictBody() });
    expect(interpreted.served).toEqual({ ready: 200, metrics: 200, predict: 200 });
    expect(interpreted.runtimeModules).toContain('backends/onnx/interpreter/compile-graph.ts');
    expect(all(interpreted)).not.toContain('onnxruntime-node');
    expect(interpreted.runtimeModules.filter((m) => m.includes('create-session') || m.includes('ort-convert'))).toEqual([]);
    // The same app with iris in the worker pool runs one thread more (its inference worker).
    const pooled = await probe({ PROBE_PREDICT: irisPredictBody() });
    expect(interpreted.threads).toBeLessThan(pooled.threads);
  }, 240_000);

  it('GRPC_PORT loads gRPC', async () => {
    const withGrpc = await probe({ GRPC_PORT: '0' });
    expect(withGrpc.grpcPort).toBeGreaterThan(0);
    expect(all(withGrpc)).toContain('@grpc/grpc-js');
    expect(withGrpc.runtimeModules).toContain('protocols/grpc/server.ts');
  }, 240_000);
});
