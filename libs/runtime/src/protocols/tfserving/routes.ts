import express, { Router, type Request, type Response } from 'express';
import { invalidArgument, notFound } from '../../errors.js';
import { runInference } from '../../inference/run-inference.js';
import type { ServedModel } from '../../inference/served-model.js';
import type { Servable } from '../../repository/servable.js';
import { labelsOf } from '../../server/request-context.js';
import type { Signature } from '../../tensor/tensor.js';
import type { ProtocolContext } from '../shared/context.js';
import { classifyOrRegress } from './classify-regress.js';
import { parseTfServingBody } from './json-parse.js';
import { encodeMetadata } from './metadata.js';
import { parseTfServingPath, type TfServingRoute } from './parse-path.js';
import { decodePredictRequest, readSignatureName } from './request.js';
import { encodePredictResponse } from './response.js';
import { encodeModelStatus } from './status.js';

const SERVING_DEFAULT = 'serving_default';
const INTEGER_DTYPES = new Set(['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64']);

/** Exact integers and the "1.0 is not an int" rule need the slower lossless parse. */
const needsLossless = (signature: Signature | undefined) => signature?.inputs.some((s) => INTEGER_DTYPES.has(s.dtype)) ?? false;

const sendJson = (res: Response, text: string) => res.type('application/json').send(text);

/** TF Serving's REST API v1, with its URL grammar, check order and error texts. */
export function tfServingRoutes(ctx: ProtocolContext): Router {
  const router = Router();
  const text = express.text({ limit: ctx.bodyLimit, type: () => true });

  function resolve(route: TfServingRoute, res: Response): { model: ServedModel; servable: Servable } {
    const labels = labelsOf(res);
    const model = ctx.models.get(route.model, (name) =>
      route.version !== undefined ? `Servable not found for request: Specific(${name}, ${route.version})` : `Servable not found for request: Latest(${name})`,
    );
    labels.model = model.name;
    const servable = model.repository.resolve(route);
    labels.version = servable.version;
    return { model, servable };
  }

  function status(route: TfServingRoute, res: Response): void {
    const model = ctx.models.get(route.model, (name) => `Could not find any versions of model ${name}`);
    labelsOf(res).model = model.name;
    // TF Serving ignores a label here and reports every version.
    let versions = model.repository.status();
    if (route.version !== undefined) {
      versions = versions.filter((v) => v.version === route.version);
      if (versions.length === 0) throw notFound(`Could not find version ${route.version} of model ${model.name}`);
    }
    sendJson(res, encodeModelStatus(versions));
  }

  async function predictLike(route: Extract<TfServingRoute, { kind: 'predict' | 'classify' | 'regress' }>, req: Request, res: Response): Promise<void> {
    // TF Serving parses the body before it resolves the model, so a broken body on an
    // unknown model is a 400; resolution is attempted first only to choose the parser.
    let resolved: { model: ServedModel; servable: Servable } | undefined;
    let resolveError: unknown;
    try {
      resolved = resolve(route, res);
    } catch (err) {
      resolveError = err;
    }
    const body = parseTfServingBody(typeof req.body === 'string' ? req.body : '', { lossless: needsLossless(resolved?.servable.signature) });
    const signatureName = readSignatureName(body);
    if (!resolved) throw resolveError;
    const { model, servable } = resolved;
    const pipeline = { requestId: String(req.id), log: req.log, metrics: ctx.metrics };

    const reply = await servable.use(async () => {
      if (route.kind !== 'predict') return classifyOrRegress(route.kind, body, model, servable, pipeline);
      if (signatureName !== SERVING_DEFAULT) throw invalidArgument(`Serving signature name: "${signatureName}" not found in signature def`);
      const request = decodePredictRequest(body, servable.signature);
      const outputs = await runInference(model, servable, { kind: 'tensors', tensors: request.inputs }, { protocol: 'tfserving', ...pipeline });
      return encodePredictResponse(request.format, outputs, Object.keys(outputs));
    });
    sendJson(res, reply);
  }

  router.use(async (req, res, next) => {
    if (!/^\/v1\//i.test(req.path)) return next();
    labelsOf(res).protocol = 'tfserving';
    const route = parseTfServingPath(req.method, req.path);
    if (route.kind === 'status') return status(route, res);
    if (route.kind === 'metadata') {
      const { model, servable } = resolve(route, res);
      return void sendJson(res, encodeMetadata(model.name, servable.version, servable.signature));
    }
    await new Promise<void>((done, fail) => text(req, res, (err?: unknown) => (err ? fail(err) : done())));
    await predictLike(route, req, res);
  });

  return router;
}
