import { availableParallelism } from 'node:os';

/** Process-level settings, all from the environment so that images and k8s can set them. */
export interface ServerEnv {
  host: string;
  port: number;
  modelsDir: string;
  /** Largest request body accepted, as understood by body-parser ("10mb"). */
  bodyLimit: string;
  /** How long SIGTERM waits for in-flight requests before giving up. */
  shutdownTimeoutMs: number;
  logLevel: string;
  /** TF Serving's gRPC API (PredictionService, ModelService) on this port; off when unset. */
  grpcPort?: number;
  /**
   * CORS_ALLOW_ORIGIN: when set ("*" or an origin), every answer carries CORS headers and
   * OPTIONS preflights are answered for browsers (TF Serving's --rest_api_enable_cors_support).
   */
  corsAllowOrigin?: string;
  /**
   * ACCESS_LOG_SAMPLE: the share (0..1) of successful and 4xx prediction requests written
   * to the access log; 5xx are always logged. Default 0.01.
   */
  accessLogSample: number;
  /**
   * Server processes sharing the port (node:cluster), each loading the models and decoding
   * its own requests: PROCESSES=1 (default) | N | auto (one per core). See server/processes.ts.
   */
  processes: number;
  /**
   * PROBE_PORT: /v2/health/live and /v2/health/ready also answered on this port by their own
   * thread, so Kubernetes' probes never queue behind requests (server/probes/). Off when unset.
   */
  probePort?: number;
  /** LIVENESS_STALL_MS: the probe port's liveness fails once the event loop has not turned for this long. */
  livenessStallMs: number;
  /**
   * ONNX_WORKERS: onnxruntime worker threads of this process, shared by every model it
   * serves; default: its share of the cores (cores / PROCESSES, at least 1).
   */
  onnxWorkers?: number;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i;
const UNIT = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 } as const;

/** "10mb", "64kb", "1048576" → bytes (1 kb = 1024 b, as body-parser reads BODY_LIMIT). */
export function byteSize(text: string): number {
  const m = SIZE.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a size: write e.g. 10mb, 512kb or a number of bytes`);
  return Math.floor(Number(m[1]) * UNIT[(m[2] ?? 'b').toLowerCase() as keyof typeof UNIT]);
}

function shareFromEnv(name: string, fallback: number, env: NodeJS.ProcessEnv): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!(n >= 0 && n <= 1)) throw new EnvError(`environment variable ${name}="${raw}" must be a number between 0 and 1`);
  return n;
}

/** A setting in the environment that cannot be used; the message names the variable. */
export class EnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvError';
  }
}

export const isEnvError = (err: unknown): err is EnvError => err instanceof EnvError;

function intFromEnv(name: string, fallback: number, env: NodeJS.ProcessEnv): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new EnvError(`environment variable ${name}="${raw}" must be a non-negative integer`);
  return n;
}

function positiveIntFromEnv(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new EnvError(`environment variable ${name}="${raw}" must be a positive integer`);
  return n;
}

function checkedSize(name: string, text: string): string {
  try {
    byteSize(text);
  } catch (err) {
    throw new EnvError(`environment variable ${name}: ${(err as Error).message}`);
  }
  return text;
}

function processesFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env['PROCESSES'];
  if (raw === undefined || raw === '') return 1;
  if (raw === 'auto') return availableParallelism();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new EnvError(`environment variable PROCESSES="${raw}" must be a positive integer or "auto"`);
  return n;
}

export function readServerEnv(env: NodeJS.ProcessEnv = process.env): ServerEnv {
  return {
    host: env['HOST'] || '0.0.0.0',
    port: intFromEnv('PORT', 8080, env),
    // Images bake models in at /models; `nx serve` points MODELS_DIR at the workspace's models/.
    modelsDir: env['MODELS_DIR'] || '/models',
    bodyLimit: checkedSize('BODY_LIMIT', env['BODY_LIMIT'] || '10mb'),
    shutdownTimeoutMs: intFromEnv('SHUTDOWN_TIMEOUT_MS', 20_000, env),
    logLevel: env['LOG_LEVEL'] || 'info',
    processes: processesFromEnv(env),
    ...(env['GRPC_PORT'] ? { grpcPort: intFromEnv('GRPC_PORT', 0, env) } : {}),
    ...(env['CORS_ALLOW_ORIGIN'] ? { corsAllowOrigin: env['CORS_ALLOW_ORIGIN'] } : {}),
    accessLogSample: shareFromEnv('ACCESS_LOG_SAMPLE', 0.01, env),
    ...(env['PROBE_PORT'] ? { probePort: intFromEnv('PROBE_PORT', 0, env) } : {}),
    livenessStallMs: intFromEnv('LIVENESS_STALL_MS', 10_000, env),
    ...(env['ONNX_WORKERS'] ? { onnxWorkers: positiveIntFromEnv('ONNX_WORKERS', env['ONNX_WORKERS']) } : {}),
  };
}

/**
 * What backends read from the environment, read here and passed to them in the load
 * options, so that no backend looks at process.env itself. The deploy files set the graph
 * service addresses; model.json settings win over them.
 */
export interface BackendEnv {
  /** TFSERVING_URL: TF Serving's REST address (http://host:8501). */
  tfservingUrl?: string;
  /** TFSERVING_GRPC: TF Serving's gRPC address (host:8500). */
  tfservingGrpc?: string;
  /** TFSERVING_PROTOCOL: switches a tfserving model's transport without editing model.json. */
  tfservingProtocol?: 'rest' | 'grpc';
  /** V2_URL: the Open Inference v2 graph service's REST address (Triton, KServe, MLServer). */
  v2Url?: string;
  /** TFJS_BACKEND: node | wasm | cpu; default the fastest that loads. */
  tfjsBackend?: 'node' | 'wasm' | 'cpu';
}

function oneOf<T extends string>(name: string, allowed: readonly T[], env: NodeJS.ProcessEnv): T | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!allowed.includes(raw as T)) throw new EnvError(`environment variable ${name}="${raw}" must be one of ${allowed.join(', ')}`);
  return raw as T;
}

export function readBackendEnv(env: NodeJS.ProcessEnv = process.env): BackendEnv {
  const set = (name: string) => (env[name] ? env[name] : undefined);
  const out: BackendEnv = {};
  const fields: [keyof BackendEnv, string | undefined][] = [
    ['tfservingUrl', set('TFSERVING_URL')],
    ['tfservingGrpc', set('TFSERVING_GRPC')],
    ['tfservingProtocol', oneOf('TFSERVING_PROTOCOL', ['rest', 'grpc'], env)],
    ['v2Url', set('V2_URL')],
    ['tfjsBackend', oneOf('TFJS_BACKEND', ['node', 'wasm', 'cpu'], env)],
  ];
  for (const [key, value] of fields) if (value !== undefined) (out as Record<string, string>)[key] = value;
  return out;
}
