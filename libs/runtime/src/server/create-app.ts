import type { RequestListener } from 'node:http';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { consoleRoutes } from '../console/console-routes.js';
import { DataPlane } from '../dataplane/data-plane.js';
import type { Metrics } from '../dataplane/metrics.js';
import type { ModelSet } from '../inference/served-model.js';
import type { ProtocolContext } from '../protocols/shared/context.js';
import { tfServingRoutes } from '../protocols/tfserving/routes.js';
import { v2Routes } from '../protocols/v2/routes.js';
import { createDispatcher } from './dispatch.js';
import { jsonErrors, notFoundRoute } from './errors.js';
import { requestLogger, requestScope } from './request-context.js';
import { RUNTIME_VERSION } from './version.js';

export interface AppOptions {
  models: ModelSet;
  metrics: Metrics;
  logger: Logger;
  bodyLimit?: string;
  /** False once shutdown has begun, so probes take the pod out of rotation first. */
  accepting?: () => boolean;
  /** CORS on every answer and OPTIONS preflights (CORS_ALLOW_ORIGIN). */
  corsAllowOrigin?: string;
  accessLogSample?: number;
}

/** What every protocol (HTTP or gRPC) is built from: the one data plane. */
export function protocolContext(options: AppOptions): ProtocolContext {
  return {
    dataPlane: new DataPlane({ models: options.models, metrics: options.metrics, logger: options.logger, accepting: options.accepting }),
    bodyLimit: options.bodyLimit ?? '10mb',
    serverVersion: RUNTIME_VERSION,
  };
}

/** The Express side: ops endpoints, metadata and status, not-found and error answers. */
export function createExpressApp(options: AppOptions, ctx: ProtocolContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLogger(options.logger));
  app.use(requestScope(ctx.dataPlane, options.logger));

  app.get('/metrics', async (_req, res) => {
    res.type(options.metrics.registry.contentType).send(await options.metrics.render());
  });
  app.use(tfServingRoutes(ctx));
  app.use(v2Routes(ctx));
  app.use(consoleRoutes(ctx));

  app.use(notFoundRoute);
  app.use(jsonErrors(ctx.bodyLimit));
  return app;
}

/**
 * The HTTP face of one app: the fast dispatcher (probes, predictions) in front of the
 * Express app (everything else), every protocol over the same data plane.
 */
export function createApp(options: AppOptions, ctx: ProtocolContext = protocolContext(options)): { handler: RequestListener; express: Express } {
  const app = createExpressApp(options, ctx);
  const handler = createDispatcher({ ctx, logger: options.logger, fallback: app, corsAllowOrigin: options.corsAllowOrigin, accessLogSample: options.accessLogSample });
  return { handler, express: app };
}
