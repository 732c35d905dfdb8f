import { Router, type Request, type Response } from 'express';
import type { ServedModel } from '../../inference/served-model.js';
import { platformOf, type ProtocolContext } from '../shared/context.js';
import { jsonReply, type Reply } from '../shared/endpoint.js';
import { scopeOf } from '../shared/express-scope.js';
import { versionSelector } from '../shared/version-selector.js';
import { encodeModelMetadata } from './codec.js';
import { repositoryIndexRoutes } from './repository-index.js';

/** GET /v2/health/live: the process answers. Served by the fast dispatcher, before any body work. */
export const liveReply = (ctx: ProtocolContext): Reply => jsonReply(200, { live: ctx.dataPlane.live() });

/** GET /v2/health/ready: every model can serve and no shutdown has begun. */
export function readyReply(ctx: ProtocolContext): Reply {
  const ready = ctx.dataPlane.ready();
  return jsonReply(ready ? 200 : 503, { ready });
}

/**
 * The Open Inference Protocol (KServe v2) REST endpoints that are not on the hot path:
 * server and model metadata, model readiness. Infer is in infer-endpoint.ts.
 */
export function v2Routes(ctx: ProtocolContext): Router {
  const router = Router();
  const dp = ctx.dataPlane;

  const lookup = (req: Request, res: Response): ServedModel => {
    const scope = scopeOf(res);
    scope.protocol = 'v2';
    const model = dp.model(String(req.params['model']));
    scope.model = model.name;
    return model;
  };

  router.get('/v2', (_req, res) => {
    res.json({ name: 'modelyard', version: ctx.serverVersion, extensions: ['binary_tensor_data'] });
  });

  router.get(['/v2/models/:model/ready', '/v2/models/:model/versions/:version/ready'], (req, res) => {
    const model = lookup(req, res);
    let ready = false;
    try {
      ready = dp.modelReady(model, versionSelector(req.params['version'] as string | undefined));
    } catch {
      ready = false;
    }
    res.status(ready ? 200 : 503).json({ name: model.name, ready });
  });

  router.get(['/v2/models/:model', '/v2/models/:model/versions/:version'], async (req, res) => {
    const model = lookup(req, res);
    const servable = await dp.resolveLoaded(model, versionSelector(req.params['version'] as string | undefined));
    scopeOf(res).version = servable.version;
    const versions = req.params['version'] ? [servable.version] : dp.availableVersions(model);
    res.json(encodeModelMetadata(model.name, versions, platformOf(model.config.backend), servable.signature));
  });

  router.use(repositoryIndexRoutes(ctx));
  return router;
}
