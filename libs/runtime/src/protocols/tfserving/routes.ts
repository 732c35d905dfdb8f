import { Router, type ErrorRequestHandler, type Response } from 'express';
import { notFound } from '../../errors.js';
import type { ProtocolContext } from '../shared/context.js';
import { scopeOf } from '../shared/express-scope.js';
import { tfServingError, tfServingStatusError } from './errors.js';
import { encodeMetadata } from './metadata.js';
import { parseTfServingPath, type TfServingRoute } from './parse-path.js';
import { encodeModelStatus } from './status.js';

const sendJson = (res: Response, text: string) => res.type('application/json').send(text);

/**
 * TF Serving's REST API v1, the GET side (status, metadata) on Express; its POSTs
 * (:predict, :classify, :regress) are on the hot path (predict-endpoint.ts).
 */
export function tfServingRoutes(ctx: ProtocolContext): Router {
  const router = Router();
  const dp = ctx.dataPlane;

  function status(route: TfServingRoute, res: Response): void {
    const model = dp.model(route.model);
    scopeOf(res).model = model.name;
    // TF Serving ignores a label here and reports every version.
    let versions = dp.status(model);
    if (route.version !== undefined) {
      versions = versions.filter((v) => v.version === route.version);
      if (versions.length === 0) throw notFound(`Could not find version ${route.version} of model ${model.name}`);
    }
    sendJson(res, encodeModelStatus(versions));
  }

  router.use(async (req, res, next) => {
    if (!/^\/v1\//i.test(req.path)) return next();
    const scope = scopeOf(res);
    scope.protocol = 'tfserving';
    const route = parseTfServingPath(req.method, req.path);
    if (route.kind === 'status') return status(route, res);
    const selector = { ...(route.version !== undefined && { version: route.version }), ...(route.label !== undefined && { label: route.label }) };
    const model = dp.model(route.model, selector);
    scope.model = model.name;
    const servable = await dp.resolveLoaded(model, selector);
    scope.version = servable.version;
    sendJson(res, encodeMetadata(model.name, servable.version, servable.signature));
  });

  const errors: ErrorRequestHandler = (err, req, res, next) => {
    if (!/^\/v1\//i.test(req.path)) return next(err);
    const route = (() => {
      try {
        return parseTfServingPath(req.method, req.path);
      } catch {
        return undefined;
      }
    })();
    const { status, message, headers } = (route?.kind === 'status' ? tfServingStatusError : tfServingError)(err, ctx.bodyLimit);
    if (status >= 500) req.log?.error({ err }, 'request failed');
    if (headers) res.set(headers);
    res.status(status).json({ error: message });
  };
  router.use(errors);
  return router;
}
