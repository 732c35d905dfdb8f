import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Metrics } from '../dataplane/metrics.js';
import { describeError } from '../protocols/shared/errors.js';

/** The path as Express routed it before: any case, one trailing slash allowed, any query. */
const METRICS_PATH = /^\/metrics\/?(?:\?|$)/i;

/**
 * GET and HEAD /metrics without Express: Prometheus scrapes every pod every few seconds, and
 * answering a scrape must not import the Express side (its routers, the console), which an
 * app that is only probed, scraped and called for predictions then never loads. Answers as
 * the Express route did; returns false for any other request.
 */
export function metricsEndpoint(metrics: Metrics, logger: Logger): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !METRICS_PATH.test(req.url ?? '/')) return false;
    metrics.render().then(
      (text) => {
        res.statusCode = 200;
        res.setHeader('content-type', metrics.registry.contentType);
        res.setHeader('content-length', Buffer.byteLength(text));
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        logger.error({ err, requestId: res.getHeader('x-request-id') }, 'request failed');
        const body = JSON.stringify({ error: describeError(err, '').message });
        res.statusCode = 500;
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.setHeader('content-length', Buffer.byteLength(body));
        res.end(req.method === 'HEAD' ? undefined : body);
      },
    );
    return true;
  };
}
