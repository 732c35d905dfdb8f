import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { DataPlane } from '../dataplane/data-plane.js';
import { RequestScope } from '../dataplane/request-scope.js';
import { requestIdOf } from './request-id.js';

/**
 * Access log for the Express side (ops endpoints, metadata, status): not the hot path.
 * The id is the one the dispatcher already chose and echoed.
 */
export function requestLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? requestIdOf(req),
    // Scrapes, probes and the status page's polling would drown the log.
    autoLogging: { ignore: (req) => /^\/(metrics|health|v2\/health\/|status\.json)/.test(req.url ?? '') },
    customProps: (_req, res) => {
      const scope = (res as unknown as { locals?: Record<string, unknown> }).locals?.['scope'] as RequestScope | undefined;
      return scope && scope.protocol !== 'ops' ? { model: scope.model, version: scope.version, protocol: scope.protocol } : {};
    },
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  }) as unknown as RequestHandler;
}

/** Gives every Express request a data-plane scope; the data plane records its metrics when it ends. */
export function requestScope(dataPlane: DataPlane, logger: Logger): RequestHandler {
  return (req, res, next) => {
    const scope = new RequestScope('ops', String(req.id ?? requestIdOf(req)), logger);
    res.locals['scope'] = scope;
    res.on('finish', () => dataPlane.finish(scope, res.statusCode));
    next();
  };
}
