import { Router, type Request, type Response } from 'express';
import type { ServedModel } from '../../inference/served-model.js';
import { platformOf, type ProtocolContext } from '../shared/context.js';
import { scopeOf } from '../shared/express-scope.js';
import { versionSelector } from '../shared/version-selector.js';
import { encodeModelMetadata } from './codec.js';
import { repositoryIndexRoutes } from './repository-index.js';

/**
 * The Open Inference Protocol (KServe v2) REST endpoints that are not on the hot path:
 * server and model metadata, model readiness. Infer is in infer-endpoint.ts, the health
 * endpoints in routes.ts (both served by the fast dispatcher).
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
