import { Router } from 'express';
import type { ProtocolContext } from '../protocols/shared/context.js';
import { swaggerUiRoutes } from './docs/swagger-ui.js';
import { openApiRoute } from './openapi/openapi-route.js';
import { statusRoutes } from './status/status-routes.js';
import type { TrafficRecording } from './status/traffic-history.js';

/**
 * The pages a person reads: / (status), /status.json, /openapi.json and /docs (Swagger UI).
 * They are "ops" requests, so they never count in the models' traffic metrics. `traffic` is
 * recorded from the app's start, before these routes exist (they load on first use).
 */
export function consoleRoutes(ctx: ProtocolContext, traffic: TrafficRecording): Router {
  const router = Router();
  const { models, metrics } = ctx.dataPlane;
  router.use(openApiRoute(models, ctx.serverVersion));
  router.use(swaggerUiRoutes());
  router.use(statusRoutes({ models, metrics, isReady: () => ctx.dataPlane.ready(), traffic }));
  return router;
}
