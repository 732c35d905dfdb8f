import { recordTable } from '../../features/record-table.js';
import { drive, driveAnswer, slicerFor, slicerForAnswer } from '../../threads/time-slices.js';
import { readJsonBodySteps } from '../shared/body.js';
import type { ProtocolContext } from '../shared/context.js';
import { jsonReply, type PostEndpoint, type Reply } from '../shared/endpoint.js';
import { describeError } from '../shared/errors.js';
import { readScoreRequest, scoreReplySteps } from './codec.js';

const GET_SCORE = /^\/get_score\/?$/i;

/** GET /health, as the Flask services answered it. Served by the fast dispatcher, before any body work. */
export function healthReply(ctx: ProtocolContext): Reply {
  if (ctx.dataPlane.ready()) return jsonReply(200, { health: 'status', code: 200 });
  return jsonReply(503, { health: 'unavailable', code: 503, error: 'no model version is loaded yet' });
}

/**
 * POST /get_score of the hand-written Flask services this replaces, so their callers
 * change nothing: same body, same success envelope, on the hot path.
 */
export function legacyGetScore(ctx: ProtocolContext): PostEndpoint<true> {
  const dp = ctx.dataPlane;
  return {
    protocol: 'legacy',
    match: (path) => (GET_SCORE.test(path) ? true : undefined),
    model: () => dp.primary().name,
    async handle(_m, { headers, body: raw, scope }): Promise<Reply> {
      // A large body is read and answered in time slices (threads/time-slices.ts).
      const slicer = slicerFor(raw.length);
      const table = recordTable(readScoreRequest(await drive(readJsonBodySteps(raw, headers['content-type']), slicer)));
      const model = dp.primary();
      const text = await dp.infer(scope, {
        model,
        selector: {},
        decode: () => ({ input: { kind: 'records' as const, table } }),
        encode: (outputs) => driveAnswer(scoreReplySteps(outputs, model.config.outputs ?? [], model.config.getScore.output), slicerForAnswer(slicer, outputs)),
      });
      return { status: 200, body: text };
    },
    // Old callers read "msg" and "code" on failures too; "error" is what every modelyard API says.
    fail(err) {
      const { status, message, headers } = describeError(err, ctx.bodyLimit);
      return jsonReply(status, { error: message, msg: message, code: status }, headers);
    },
  };
}
