import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { ModelSet } from '../inference/served-model.js';
import { legacyRoutes } from '../protocols/legacy/routes.js';
import type { ProtocolContext } from '../protocols/shared/context.js';
import { tfServingRoutes } from '../protocols/tfserving/routes.js';
import { v2Routes } from '../protocols/v2/routes.js';
import { jsonErrors, notFoundRoute } from './errors.js';
import type { Metrics } from './metrics.js';
import { requestLogger, requestMetrics } from './request-context.js';
import { RUNTIME_VERSION } from './version.js';

export interface AppOptions {
  models: ModelSet;
  metrics: Metrics;
  logger: Logger;
  bodyLimit?: string;
  /** False once shutdown has begun, so probes take the pod out of rotation first. */
  accepting?: () => boolean;
}

/** What every protocol (HTTP or gRPC) is built from. */
export function protocolContext(options: AppOptions): ProtocolContext {
  const accepting = options.accepting ?? (() => true);
  return {
    models: options.models,
    metrics: options.metrics,
    isReady: () => accepting() && options.models.isReady(),
    bodyLimit: options.bodyLimit ?? '10mb',
    serverVersion: RUNTIME_VERSION,
  };
}

/** The HTTP face of one app: every protocol over the same models, plus ops endpoints. */
export function createApp(options: AppOptions, ctx: ProtocolContext = protocolContext(options)): Express {
  const bodyLimit = ctx.bodyLimit;

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLogger(options.logger));
  app.use(requestMetrics(options.metrics));

  app.get('/metrics', async (_req, res) => {
    res.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });
  app.use(tfServingRoutes(ctx));
  app.use(v2Routes(ctx));
  app.use(legacyRoutes(ctx));

  app.use(notFoundRoute);
  app.use(jsonErrors(bodyLimit));
  return app;
}
