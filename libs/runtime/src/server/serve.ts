import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server as GrpcServer } from '@grpc/grpc-js';
import { isEnvError, readServerEnv, type ServerEnv } from '../config/env.js';
import { ConfigError } from '../config/load-config.js';
import type { Hooks } from '../inference/hooks.js';
import { createLogger } from './logger.js';
import { createModelServer, type ModelServer, type ModelServerOptions } from './model-server.js';
import { refuseDeepBodies } from '../protocols/shared/json-depth.js';
import { isProcessPrimary, joinClusterMetrics, runPrimary } from './processes.js';
import { reportProbesToPrimary } from './probes/cluster-probes.js';
import { startProbePort, type ProbePort } from './probes/probe-port.js';
import cluster from 'node:cluster';
import { ConnectionTracker, shutdownGracefully } from './shutdown.js';
import { matchesAny, readYardEnv, yardModelNames, type YardEnv } from '../yard/yard-env.js';

export interface ServeOptions {
  /** The app's model (folder name under MODELS_DIR); or several, the first answering /get_score. */
  model?: string | readonly string[];
  /**
   * Serve as a yard instead: the models under MODELS_DIR (or those MODELS names), loaded on
   * demand and unloaded by MAX_LOADED_MODELS / MODEL_MEMORY_BUDGET_MB (yard/yard-env.ts).
   * `hooks` holds each model's business logic, by model name.
   */
  yard?: { hooks?: Record<string, Hooks>; env?: Partial<YardEnv> };
  /** The app's business logic (apps/<name>/hooks.ts), for its model. */
  hooks?: Hooks;
  /** Overrides for tests; the environment (HOST, PORT, MODELS_DIR, ...) otherwise. */
  env?: Partial<ServerEnv>;
  /** Exit the process on SIGTERM/SIGINT after draining (true for apps, false in tests). */
  handleSignals?: boolean;
}

export interface RunningServer extends ModelServer {
  server: Server;
  url: string;
  /** The gRPC port when GRPC_PORT (env.grpcPort) asked for one. */
  grpcPort?: number;
  /** The probe port when PROBE_PORT (env.probePort) asked for one (single-process mode). */
  probePort?: number;
  /** Graceful stop: not ready, stop accepting, finish in-flight requests, unload. */
  shutdown(): Promise<void>;
}

/**
 * What an app's main.ts calls: load the model, listen, drain on SIGTERM. With PROCESSES > 1
 * the call in the primary process never returns (it supervises; server/processes.ts).
 */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const exitOnConfigError = options.handleSignals ?? true;
  let logger = createLogger(options.env?.logLevel ?? process.env['LOG_LEVEL'] ?? 'info');
  let env: ServerEnv;
  let modelServer: ModelServer;
  let probes: Pick<ProbePort, 'readiness' | 'close'> & { port?: number } = { readiness: () => undefined, close: async () => undefined };
  let names = typeof options.model === 'string' ? [options.model] : (options.model ?? []);
  try {
    env = { ...readServerEnv(), ...options.env };
    logger = createLogger(env.logLevel);
    // PROCESSES > 1: this process supervises server processes that each run the code below.
    if (isProcessPrimary(env)) return await runPrimary(env, logger);
    // Before the models load, so that a long load shows as live but not ready.
    if (env.probePort !== undefined) {
      probes = cluster.isWorker ? reportProbesToPrimary() : await startProbePort({ host: env.host, port: env.probePort, stallMs: env.livenessStallMs, logger });
    }
    let yard: ModelServerOptions['yard'];
    if (options.yard) {
      const yardEnv = { ...readYardEnv(), ...options.yard.env };
      names = await yardModelNames(env.modelsDir, yardEnv.models);
      yard = { ...yardEnv, preload: names.filter((n) => matchesAny(yardEnv.preload, n)) };
    }
    modelServer = await createModelServer({
      modelsDir: env.modelsDir,
      models: names,
      hooks: options.yard ? (options.yard.hooks ?? {}) : options.hooks ? { [names[0]!]: options.hooks } : {},
      ...(yard && { yard }),
      logger,
      bodyLimit: env.bodyLimit,
      corsAllowOrigin: env.corsAllowOrigin,
      accessLogSample: env.accessLogSample,
    });
  } catch (err) {
    await probes.close();
    // A bad config or environment is an operator's mistake, not a crash: one JSON line
    // naming the file and field, no stack trace, exit code 1.
    if (!exitOnConfigError || !(err instanceof ConfigError || isEnvError(err))) throw err;
    const e = err as ConfigError;
    logger.fatal({ file: e.file, fields: e.fields, error: e.message }, 'cannot start: invalid configuration');
    logger.flush?.();
    process.exit(1);
  }

  joinClusterMetrics(modelServer.metrics);
  probes.readiness(() => modelServer.context.dataPlane.ready());

  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const s = createServer(modelServer.app);
      s.once('error', reject);
      s.listen(env.port, env.host, () => {
        s.off('error', reject);
        resolve(s);
      });
    });
  } catch (err) {
    // A port in use or not allowed is the operator's to fix, like a bad config: one line, exit 1.
    if (!exitOnConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    logger.fatal({ host: env.host, port: env.port, error: `${code ?? 'error'}: ${(err as Error).message}` }, `cannot start: cannot listen on ${env.host}:${env.port}${code === 'EADDRINUSE' ? ' (the port is in use)' : ''}`);
    logger.flush?.();
    process.exit(1);
  }
  // Longer than a load balancer's idle timeout, so it never reuses a socket we just closed.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const connections = new ConnectionTracker(server);
  refuseDeepBodies(server);
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  let grpc: GrpcServer | undefined;
  let grpcPort: number | undefined;
  if (env.grpcPort !== undefined) {
    // Imported only when asked for: grpc-js, proto-loader and the parsed protos cost ~15 MB.
    const { createGrpcServer, listenGrpc } = await import('../protocols/grpc/server.js');
    grpc = createGrpcServer(modelServer.context, logger);
    grpcPort = await listenGrpc(grpc, env.host, env.grpcPort);
  }
  logger.info({ url, grpcPort, models: names, modelsDir: env.modelsDir }, 'serving');

  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    (stopping ??= Promise.all([
      shutdownGracefully({ server, modelServer, logger, timeoutMs: env.shutdownTimeoutMs, connections }),
      new Promise<void>((resolve) => (grpc ? grpc.tryShutdown(() => resolve()) : resolve())),
    ]).then(() => probes.close()));

  if (options.handleSignals ?? true) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        logger.info({ signal }, 'shutting down: finishing in-flight requests');
        void shutdown().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      });
    }
  }
  return { ...modelServer, server, url, shutdown, ...(grpcPort !== undefined && { grpcPort }), ...(probes.port !== undefined && { probePort: probes.port }) };
}
