import express, { Router, type Request, type Response } from 'express';
import { runInference } from '../../inference/run-inference.js';
import type { ServedModel } from '../../inference/served-model.js';
import { labelsOf } from '../../server/request-context.js';
import { PLATFORMS, type ProtocolContext } from '../shared/context.js';
import { versionSelector } from '../shared/version-selector.js';
import { decodeInferRequest, encodeInferResponse, encodeModelMetadata } from './codec.js';

const missing = (name: string) => `model "${name}" is not served here`;

/** The Open Inference Protocol (KServe v2) REST endpoints. */
export function v2Routes(ctx: ProtocolContext): Router {
  const router = Router();
  const json = express.json({ limit: ctx.bodyLimit, type: () => true });

  const lookup = (req: Request, res: Response): ServedModel => {
    const labels = labelsOf(res);
    labels.protocol = 'v2';
    const model = ctx.models.get(String(req.params['model']), missing);
    labels.model = model.name;
    return model;
  };

  router.get('/v2/health/live', (_req, res) => {
    res.json({ live: true });
  });

  router.get('/v2/health/ready', (_req, res) => {
    const ready = ctx.isReady();
    res.status(ready ? 200 : 503).json({ ready });
  });

  router.get('/v2', (_req, res) => {
    res.json({ name: 'modelyard', version: ctx.serverVersion, extensions: [] });
  });

  router.get(['/v2/models/:model/ready', '/v2/models/:model/versions/:version/ready'], (req, res) => {
    const model = lookup(req, res);
    let ready = false;
    try {
      const servable = model.repository.resolve(versionSelector(req.params['version'] as string | undefined));
      ready = (servable.backend.ready?.() ?? true) && ctx.isReady();
    } catch {
      ready = false;
    }
    res.status(ready ? 200 : 503).json({ name: model.name, ready });
  });

  router.get(['/v2/models/:model', '/v2/models/:model/versions/:version'], (req, res) => {
    const model = lookup(req, res);
    const servable = model.repository.resolve(versionSelector(req.params['version'] as string | undefined));
    labelsOf(res).version = servable.version;
    const versions = req.params['version'] ? [servable.version] : model.repository.availableVersions();
    res.json(encodeModelMetadata(model.name, versions, PLATFORMS[model.config.backend], servable.signature));
  });

  router.post(['/v2/models/:model/infer', '/v2/models/:model/versions/:version/infer'], json, async (req, res) => {
    const model = lookup(req, res);
    const servable = model.repository.resolve(versionSelector(req.params['version'] as string | undefined));
    labelsOf(res).version = servable.version;
    const body = await servable.use(async () => {
      const request = decodeInferRequest(req.body, servable.signature);
      const outputs = await runInference(model, servable, { kind: 'tensors', tensors: request.inputs }, {
        protocol: 'v2',
        requestId: String(req.id),
        log: req.log,
        metrics: ctx.metrics,
        outputs: request.outputs,
      });
      return encodeInferResponse(model.name, servable.version, request.id, outputs, request.outputs ?? Object.keys(outputs));
    });
    res.json(body);
  });

  return router;
}
