import type { RequestListener } from 'node:http';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { recordTraffic } from '../console/status/traffic-history.js';
import { DataPlane } from '../dataplane/data-plane.js';
import type { Metrics } from '../dataplane/metrics.js';
import type { ModelSet } from '../inference/served-model.js';
import type { ProtocolContext } from '../protocols/shared/context.js';
import { INTERNAL_MESSAGE } from '../protocols/shared/errors.js';
import { createDispatcher } from './dispatch.js';
import { metricsEndpoint } from './metrics-endpoint.js';
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

/**
 * The HTTP face of one app: the fast dispatcher (probes, predictions) and /metrics in front
 * of the Express app (everything else), every protocol over the same data plane.
 *
 * The Express app (express, its routers, pino-http, the console) is imported on the first
 * request that needs it: an app that is only probed, scraped and called for predictions
 * never loads it, which keeps ~5 MB of code and heap out of its RSS
 * (docs/benchmarks/memory.md). `express()` loads it on demand for callers that want it.
 */
export function createApp(options: AppOptions, ctx: ProtocolContext = protocolContext(options)): { handler: RequestListener; express: () => Promise<Express> } {
  // Sampled from the start, so the status page shows the traffic since then when first opened.
  const traffic = recordTraffic(options.metrics);
  let loading: Promise<Express> | undefined;
  const loadExpress = () => (loading ??= import('./express-app.js').then((m) => m.createExpressApp(options, ctx, traffic)));
  const metrics = metricsEndpoint(options.metrics, options.logger);
  const fallback: RequestListener = (req, res) => {
    if (metrics(req, res)) return;
    loadExpress().then(
      (app) => app(req, res),
      (err: unknown) => {
        // Only a broken install gets here (a module missing from the image).
        options.logger.error({ err }, 'cannot load the Express side of the app');
        const body = JSON.stringify({ error: INTERNAL_MESSAGE });
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
      },
    );
  };
  const handler = createDispatcher({ ctx, logger: options.logger, fallback, corsAllowOrigin: options.corsAllowOrigin, accessLogSample: options.accessLogSample });
  return { handler, express: loadExpress };
}
