import express, { type Express } from 'express';
import { consoleRoutes } from '../console/console-routes.js';
import type { TrafficRecording } from '../console/status/traffic-history.js';
import type { ProtocolContext } from '../protocols/shared/context.js';
import { tfServingRoutes } from '../protocols/tfserving/routes.js';
import { v2Routes } from '../protocols/v2/metadata-routes.js';
import type { AppOptions } from './create-app.js';
import { jsonErrors, notFoundRoute } from './errors.js';
import { requestLogger, requestScope } from './request-context.js';

/**
 * The Express side: metadata and status, the console, not-found and error answers. Imported
 * by create-app.ts on the first request that reaches it, never before.
 */
export function createExpressApp(options: AppOptions, ctx: ProtocolContext, traffic: TrafficRecording): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLogger(options.logger));
  app.use(requestScope(ctx.dataPlane, options.logger));

  app.use(tfServingRoutes(ctx));
  app.use(v2Routes(ctx));
  app.use(consoleRoutes(ctx, traffic));

  app.use(notFoundRoute);
  app.use(jsonErrors(ctx.bodyLimit));
  return app;
}
