import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { Protocol } from '../inference/hooks.js';
import type { Metrics } from './metrics.js';

/** What a route learns about a request as it goes, for the metrics and the access log. */
export interface RequestLabels {
  protocol: Protocol | 'ops';
  model?: string;
  version?: number;
}

export function labelsOf(res: Response): RequestLabels {
  return (res.locals['labels'] ??= { protocol: 'ops' }) as RequestLabels;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Request ids: the caller's x-request-id when it is sane, else a fresh one; echoed back. */
export function requestLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
    // Probes and scrapes would drown the log.
    autoLogging: { ignore: (req) => /^\/(metrics|health|v2\/health\/)/.test(req.url ?? '') },
    customProps: (_req, res) => {
      const labels = (res as unknown as Response).locals?.['labels'] as RequestLabels | undefined;
      return labels ? { model: labels.model, version: labels.version, protocol: labels.protocol } : {};
    },
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  }) as unknown as RequestHandler;
}

/** Counts and times every request that reached a protocol route. */
export function requestMetrics(metrics: Metrics): RequestHandler {
  return (_req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const labels = res.locals['labels'] as RequestLabels | undefined;
      if (!labels || labels.protocol === 'ops') return;
      const values = {
        model: labels.model ?? 'unknown',
        version: labels.version === undefined ? '' : String(labels.version),
        protocol: labels.protocol,
        status: String(res.statusCode),
      };
      metrics.requests.inc(values);
      metrics.requestSeconds.observe(values, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
