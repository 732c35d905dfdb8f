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
}

function intFromEnv(name: string, fallback: number, env: NodeJS.ProcessEnv): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`environment variable ${name}="${raw}" must be a non-negative integer`);
  return n;
}

export function readServerEnv(env: NodeJS.ProcessEnv = process.env): ServerEnv {
  return {
    host: env['HOST'] || '0.0.0.0',
    port: intFromEnv('PORT', 8080, env),
    // Images bake models in at /models; `nx serve` points MODELS_DIR at the workspace's models/.
    modelsDir: env['MODELS_DIR'] || '/models',
    bodyLimit: env['BODY_LIMIT'] || '10mb',
    shutdownTimeoutMs: intFromEnv('SHUTDOWN_TIMEOUT_MS', 20_000, env),
    logLevel: env['LOG_LEVEL'] || 'info',
    ...(env['GRPC_PORT'] ? { grpcPort: intFromEnv('GRPC_PORT', 0, env) } : {}),
  };
}
