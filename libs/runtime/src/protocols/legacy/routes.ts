import express, { Router, type ErrorRequestHandler } from 'express';
import { recordTable } from '../../features/record-table.js';
import { runInference } from '../../inference/run-inference.js';
import { describeError } from '../../server/errors.js';
import { labelsOf } from '../../server/request-context.js';
import type { ProtocolContext } from '../shared/context.js';
import { encodeScores, readScoreRequest } from './codec.js';

/**
 * The API of the hand-written Flask services this replaces, so their callers change
 * nothing: POST /get_score and GET /health, same bodies, same success envelope.
 */
export function legacyRoutes(ctx: ProtocolContext): Router {
  const router = Router();
  const json = express.json({ limit: ctx.bodyLimit, type: () => true });

  router.get('/health', (_req, res) => {
    if (ctx.isReady()) res.json({ health: 'status', code: 200 });
    else res.status(503).json({ health: 'unavailable', code: 503, error: 'no model version is loaded yet' });
  });

  router.post('/get_score', (_req, res, next) => {
    labelsOf(res).protocol = 'legacy';
    next();
  });

  router.post('/get_score', json, async (req, res) => {
    const model = ctx.models.primary();
    const labels = labelsOf(res);
    labels.model = model.name;
    const table = recordTable(readScoreRequest(req.body));
    const servable = model.repository.resolve();
    labels.version = servable.version;
    const data = await servable.use(async () => {
      const outputs = await runInference(model, servable, { kind: 'records', table }, {
        protocol: 'legacy',
        requestId: String(req.id),
        log: req.log,
        metrics: ctx.metrics,
      });
      return encodeScores(outputs, model.config.outputs ?? [], model.config.getScore.output);
    });
    res.json({ msg: 'Successful!', code: 200, data });
  });

  // Old callers read "msg" and "code" on failures too; "error" is what every modelyard API says.
  const legacyErrors: ErrorRequestHandler = (err, req, res, next) => {
    if (req.path !== '/get_score') return next(err);
    const { status, message } = describeError(err, ctx.bodyLimit);
    if (status >= 500) req.log?.error({ err }, 'request failed');
    res.status(status).json({ error: message, msg: message, code: status });
  };
  router.use(legacyErrors);
  return router;
}
