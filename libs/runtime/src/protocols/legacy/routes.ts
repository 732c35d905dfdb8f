import { notFound } from '../../errors.js';
import { recordTable } from '../../features/record-table.js';
import { drive, slicerFor, slicerForAnswer, type Slicer } from '../../threads/time-slices.js';
import type { ServedModel } from '../../inference/served-model.js';
import type { Servable } from '../../repository/servable.js';
import type { DataPlane } from '../../dataplane/data-plane.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { InputConfig } from '../../config/schema.js';
import type { NamedTensors } from '../../tensor/tensor.js';
import { readJsonBodySteps, readsAsUtf8 } from '../shared/body.js';
import { readRecordsWasm } from '../shared/records-wasm/records-reader.js';
import type { ProtocolContext } from '../shared/context.js';
import { jsonReply, type PostEndpoint, type Reply } from '../shared/endpoint.js';
import { describeError } from '../shared/errors.js';
import { readScoreRequest, scoreReplyPieces } from './codec.js';
import { answer, type AnswerStream } from '../shared/answer-stream.js';
import type { Decoded } from '../../dataplane/data-plane.js';
import { recordsFromBytes } from './records-from-bytes.js';
import { attempt, fastDecodable } from '../shared/large-body/columns.js';

/** POST /get_score (the app's own model), or POST /models/{name}/get_score (any model it serves). */
const GET_SCORE = /^(?:\/models\/([^/]+))?\/get_score\/?$/i;

/**
 * The model a bare /get_score means: the app's own. A yard serving several models has none
 * (which one would be a guess), so there the caller must name it in the path.
 */
function ownModel(dp: DataPlane): ServedModel {
  const primary = dp.primary();
  if (primary.residency && dp.models.all().length > 1) {
    throw notFound(`this server serves ${dp.models.all().length} models: name one, POST /models/{name}/get_score`);
  }
  return primary;
}

/** GET /health, as the Flask services answered it. Served by the fast dispatcher, before any body work. */
export function healthReply(ctx: ProtocolContext): Reply {
  if (ctx.dataPlane.ready()) return jsonReply(200, { health: 'status', code: 200 });
  return jsonReply(503, { health: 'unavailable', code: 503, error: 'no model version is loaded yet' });
}

/**
 * POST /get_score of the hand-written Flask services this replaces, so their callers
 * change nothing: same body, same success envelope, on the hot path.
 */
export function legacyGetScore(ctx: ProtocolContext): PostEndpoint<{ name?: string }> {
  const dp = ctx.dataPlane;
  return {
    protocol: 'legacy',
    match: (path) => {
      const m = GET_SCORE.exec(path);
      return m ? { name: m[1] === undefined ? undefined : decodeURIComponentSafe(m[1]) } : undefined;
    },
    model: (m) => m.name ?? dp.primary().name,
    async handle(m, { headers, body: raw, scope, depthScannedWithin }): Promise<Reply> {
      const model = m.name === undefined ? ownModel(dp) : dp.model(m.name);
      // A large body is read and answered in time slices (threads/time-slices.ts).
      const slicer = slicerFor(raw.length);
      const readTable = async () => recordTable(readScoreRequest(await drive(readJsonBodySteps(raw, headers['content-type'], depthScannedWithin), slicer)));
      // The body may go straight from its bytes into tensors once the version's signature is
      // known (tensorsFromBytes); the records themselves are then never built. Not when
      // something reads the records: a preprocess hook, the pandas reading, a recorder.
      const fromBytes = !model.hooks.preprocess && model.config.getScore.coerce === undefined && !dp.recorders.has(model.name);
      // Handed to decode once, not kept in this call's closures: whatever keeps a finished
      // call alive for a while then holds no records. (A per-request getter in the data
      // plane once did, and V8's scavenges promoted every body since the previous one:
      // docs/benchmarks/hotpath.md, session 5.)
      let table = fromBytes ? undefined : await readTable();
      const text = await dp.infer<string | AnswerStream, Decoded>(scope, {
        model,
        selector: {},
        decode: async (servable) => {
          const outputs = answeredOutputs(model, servable);
          if (table) {
            const records = table;
            table = undefined;
            return { input: { kind: 'records' as const, table: records }, outputs };
          }
          const tensors = await tensorsFromBytes(raw, headers, servable, model.config.inputs ?? [], slicer);
          return tensors ? { input: { kind: 'tensors' as const, tensors }, outputs } : { input: { kind: 'records' as const, table: await readTable() }, outputs };
        },
        encode: (outputs) => answer(scoreReplyPieces(outputs, model.config.outputs ?? [], model.config.getScore.output), slicerForAnswer(slicer, outputs)),
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

/**
 * A get_score body's tensors read from its bytes, or undefined when the reader does not read
 * this body or model (the caller then reads the records the usual way, which words any
 * error): a large body in time slices (records-from-bytes.ts), any other at once in
 * WebAssembly (shared/records-wasm/records-reader.ts).
 */
async function tensorsFromBytes(raw: Buffer, headers: IncomingHttpHeaders, servable: Servable, inputs: readonly InputConfig[], slicer: Slicer | undefined): Promise<NamedTensors | undefined> {
  if (slicer) return fastDecodable(raw.length, headers, servable.signature) ? drive(attempt(recordsFromBytes(raw, servable.signature, inputs)), slicer) : undefined;
  return readsAsUtf8(headers['content-type']) ? readRecordsWasm(raw, servable.signature, inputs) : undefined;
}

/**
 * What get_score needs computed: only the output it answers with, when the config names one
 * the model has (a classifier's probabilities are then never transformed; the interpreter runs
 * only what that output needs). Everything when it answers with every output, or when a
 * postprocess hook, which may read any output or make the answered one, sees them first.
 */
export function answeredOutputs(model: ServedModel, servable: Servable): readonly string[] | undefined {
  const only = model.config.getScore.output;
  if (only === undefined || model.hooks.postprocess) return undefined;
  return servable.signature.outputs.some((o) => o.name === only) ? [only] : undefined;
}

/** A %-escaped name that does not decode is left as written: it then names no model (404). */
function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
