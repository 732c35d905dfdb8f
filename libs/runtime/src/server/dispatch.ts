import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { byteSize } from '../config/env.js';
import type { DataPlane } from '../dataplane/data-plane.js';
import { RequestScope } from '../dataplane/request-scope.js';
import { healthReply, legacyGetScore } from '../protocols/legacy/routes.js';
import { depthScannedWithin } from '../protocols/shared/json-depth.js';
import type { ProtocolContext } from '../protocols/shared/context.js';
import type { PostEndpoint, Reply } from '../protocols/shared/endpoint.js';
import { tfServingPredict } from '../protocols/tfserving/predict-endpoint.js';
import { v2Infer } from '../protocols/v2/infer-endpoint.js';
import { liveReply, readyReply } from '../protocols/v2/routes.js';
import { corsHeaders, preflight } from './cors.js';
import { readBody } from './read-body.js';
import { writeAnswerStream } from './write-answer.js';
import { isAnswerStream } from '../protocols/shared/answer-stream.js';
import { requestIdOf } from './request-id.js';

export interface DispatchOptions {
  ctx: ProtocolContext;
  logger: Logger;
  /** Everything that is not a probe or a prediction: ops routes, metadata, errors. */
  fallback: RequestListener;
  corsAllowOrigin?: string;
  /** Share of non-5xx prediction requests written to the access log. */
  accessLogSample?: number;
}

/** Where the GET-only endpoints live, for OPTIONS' Allow; anything else is Express's 404. */
const GET_PATHS = /^\/(?:v1\/|v2(?:\/|$)|health$|metrics$)/i;
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The app's request listener. Probes are answered first, before anything else can delay
 * them; predictions go straight to their protocol's endpoint and the data plane, with the
 * body read under the byte limit and the answer written with one end(): no router, no
 * body-parser, no per-request child logger. Everything else goes to the Express app.
 */
export function createDispatcher(options: DispatchOptions): RequestListener {
  const { ctx, logger, fallback } = options;
  const dp: DataPlane = ctx.dataPlane;
  const limit = byteSize(ctx.bodyLimit);
  const sample = options.accessLogSample ?? 0.01;
  const cors = options.corsAllowOrigin;
  // Decided once: the CORS headers every answer carries (none when CORS is off).
  const corsEntries = cors ? Object.entries(corsHeaders(cors)) : [];

  const probes: Record<string, () => Reply> = {
    '/v2/health/live': () => liveReply(ctx),
    '/v2/health/ready': () => readyReply(ctx),
    '/health': () => healthReply(ctx),
  };
  const endpoints: PostEndpoint<unknown>[] = [tfServingPredict(ctx), v2Infer(ctx), legacyGetScore(ctx)] as PostEndpoint<unknown>[];

  /** A promise only for a large answer written in pieces (write-answer.ts). */
  function write(res: ServerResponse, reply: Reply, head: boolean): Promise<void> | undefined {
    if (res.headersSent) return void res.end();
    const body = reply.body;
    // Set one by one: writeHead with an object would be one more object (and a spread) per answer.
    res.setHeader('content-type', JSON_TYPE);
    if (typeof body === 'string') res.setHeader('content-length', Buffer.byteLength(body));
    else if (Buffer.isBuffer(body)) res.setHeader('content-length', body.length);
    if (reply.headers) for (const name in reply.headers) res.setHeader(name, reply.headers[name]!);
    res.statusCode = reply.status;
    if (isAnswerStream(body)) return writeAnswerStream(res, body);
    res.end(head ? undefined : body);
  }

  async function predict(req: IncomingMessage, res: ServerResponse, path: string, endpoint: PostEndpoint<unknown>, match: unknown, requestId: string): Promise<void> {
    const scope = new RequestScope(endpoint.protocol, requestId, logger);
    scope.headers = req.headers;
    let reply: Reply;
    let failure: unknown;
    try {
      const model = endpoint.model(match);
      // Admission before the body is read: a flood is refused for the price of a header parse.
      if (model !== undefined) dp.admit(scope, model);
      const body = await readBody(req, limit, ctx.bodyLimit);
      reply = await endpoint.handle(match, { path, headers: req.headers, body, scope, depthScannedWithin: depthScannedWithin(req) });
    } catch (err) {
      failure = err;
      reply = endpoint.fail(err);
      if (!req.complete) req.resume();
    }
    const streaming = write(res, reply, false);
    if (streaming) await streaming;
    dp.finish(scope, reply.status);
    if (reply.status >= 500 || Math.random() < sample) {
      const entry = {
        requestId,
        req: { method: req.method, url: req.url },
        res: { statusCode: reply.status },
        protocol: scope.protocol,
        model: scope.model,
        version: scope.version,
        responseTime: Math.round(scope.seconds * 1e4) / 10,
      };
      if (reply.status >= 500) logger.error({ ...entry, err: failure }, 'request failed');
      else logger.info(entry, 'request completed');
    }
  }

  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    for (let i = 0; i < corsEntries.length; i++) res.setHeader(corsEntries[i]![0], corsEntries[i]![1]);

    const method = req.method;
    if (method === 'GET' || method === 'HEAD') {
      const probe = probes[path];
      if (probe) return write(res, probe(), method === 'HEAD');
    } else if (method === 'POST') {
      for (const endpoint of endpoints) {
        const match = endpoint.match(path);
        if (match !== undefined) return void predict(req, res, path, endpoint, match, requestId);
      }
    } else if (method === 'OPTIONS') {
      if (endpoints.some((e) => e.match(path) !== undefined)) return preflight(req, res, 'POST, OPTIONS', cors);
      if (GET_PATHS.test(path)) return preflight(req, res, 'GET, HEAD, OPTIONS', cors);
    }
    // pino-http reuses this id rather than making another.
    (req as IncomingMessage & { id?: string }).id = requestId;
    fallback(req, res);
  };
}
