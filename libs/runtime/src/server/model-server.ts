import type { RequestListener } from 'node:http';
import { join } from 'node:path';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { loadBackend } from '../backends/load-backend.js';
import { loadModelConfig } from '../config/load-config.js';
import { modelConfigSchema } from '../backends/registry.js';
import { watchModelConfig } from '../inference/reload-config.js';
import type { Hooks } from '../inference/hooks.js';
import { ModelSet, type ServedModel } from '../inference/served-model.js';
import { ModelRepository } from '../repository/model-repository.js';
import type { ProtocolContext } from '../protocols/shared/context.js';
import { ModelCache, type YardPolicy } from '../yard/model-cache.js';
import { YardMetrics } from '../yard/yard-metrics.js';
import { createApp, protocolContext } from './create-app.js';
import { Metrics } from './metrics.js';

export interface ModelServerOptions {
  modelsDir: string;
  /** The models to serve, by folder name; the first one answers /get_score. */
  models: readonly string[];
  /** Business logic per model name. */
  hooks?: Record<string, Hooks>;
  logger: Logger;
  bodyLimit?: string;
  /** CORS on every answer and OPTIONS preflights (CORS_ALLOW_ORIGIN). */
  corsAllowOrigin?: string;
  /** Share of non-5xx prediction requests in the access log (ACCESS_LOG_SAMPLE). */
  accessLogSample?: number;
  /**
   * Serve the models as a yard: none is loaded at start (but those in `preload`); each loads
   * on its first request and is unloaded by the policy (yard/model-cache.ts).
   */
  yard?: YardPolicy & { preload?: readonly string[] };
}

/** Everything behind one app's port, before it listens: configs, repositories, routes. */
export interface ModelServer {
  /**
   * The app's request listener: the fast dispatcher (probes, predictions) in front of
   * the Express app; give it to http.createServer (or supertest).
   */
  app: RequestListener;
  /**
   * The Express app behind it (metadata, status, console, errors), imported on first use:
   * the first request the dispatcher hands it, or this call.
   */
  express: () => Promise<Express>;
  /** The same models and metrics, for protocols served outside Express (gRPC). */
  context: ProtocolContext;
  models: ModelSet;
  metrics: Metrics;
  /** The yard's model cache, when the models are served as a yard. */
  yard?: ModelCache;
  /** Flips readiness off: new probes fail while in-flight requests finish. */
  stopAccepting(): void;
  /** Stops polling, drains and unloads every version. */
  close(): Promise<void>;
}

/**
 * Reads and validates every model's config (a bad one stops the start, naming the file and
 * field), then loads the versions. A model whose versions all fail still starts, not ready,
 * and keeps polling for a good version.
 */
export async function createModelServer(options: ModelServerOptions): Promise<ModelServer> {
  if (options.models.length === 0) throw new Error('no model to serve: name at least one');
  const metrics = new Metrics();
  const served: ServedModel[] = [];
  for (const name of options.models) {
    const modelDir = join(options.modelsDir, name);
    const config = await loadModelConfig(modelDir, modelConfigSchema(), name);
    const repository = new ModelRepository({
      modelDir,
      config,
      loadBackend,
      logger: options.logger,
      events: metrics.repositoryEvents,
    });
    served.push({ name, config, repository, hooks: options.hooks?.[name] ?? {} });
  }
  let yard: ModelCache | undefined;
  if (options.yard) {
    // Configs are checked above for every model; versions load when first asked for.
    yard = new ModelCache(served, options.yard, new YardMetrics(metrics.registry), options.logger);
    for (const m of served) m.residency = yard.residency(m.name);
    await yard.preload(options.yard.preload ?? []);
  } else {
    await Promise.all(served.map((m) => m.repository.start()));
  }
  const configWatchers = served.map((m) => watchModelConfig(m, join(options.modelsDir, m.name), options.logger));

  let accepting = true;
  const models = new ModelSet(served);
  const appOptions = {
    models,
    metrics,
    logger: options.logger,
    bodyLimit: options.bodyLimit,
    accepting: () => accepting,
    corsAllowOrigin: options.corsAllowOrigin,
    accessLogSample: options.accessLogSample,
  };
  const context = protocolContext(appOptions);
  const { handler, express } = createApp(appOptions, context);
  return {
    app: handler,
    express,
    context,
    models,
    metrics,
    ...(yard && { yard }),
    stopAccepting: () => void (accepting = false),
    close: async () => {
      accepting = false;
      configWatchers.forEach((w) => w.stop());
      await (yard ? yard.close() : Promise.all(served.map((m) => m.repository.stop())));
    },
  };
}
