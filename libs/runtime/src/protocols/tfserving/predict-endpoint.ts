import { invalidArgument } from '../../errors.js';
import type { ServedModel } from '../../inference/served-model.js';
import type { Servable } from '../../repository/servable.js';
import type { PipelineContext } from '../../inference/run-inference.js';
import type { Signature } from '../../tensor/tensor.js';
import { drive, slicerFor, slicerForAnswer, type Steps } from '../../threads/time-slices.js';
import { bodyText } from '../shared/body.js';
import type { ProtocolContext } from '../shared/context.js';
import { maxBodyDepth } from '../shared/json-depth.js';
import { jsonReply, type PostEndpoint, type Reply } from '../shared/endpoint.js';
import { classifyOrRegress, readExamples } from './classify-regress.js';
import { tfServingError } from './errors.js';
import { parseTfServingBodySteps, type JsonValue, type ParseOptions } from './json-parse.js';
import { parseTfServingPath, type TfServingRoute } from './parse-path.js';
import { decodePredictRequestSteps, readSignatureName, type PredictFormat, type PredictRequest } from './request.js';
import { predictRequestFromBytes } from './predict-from-bytes.js';
import { attempt, fastDecodable } from '../shared/large-body/columns.js';
import type { Decoded } from '../../dataplane/data-plane.js';
import type { VersionSelector } from '../../repository/model-repository.js';
import { encodePredictResponsePieces } from './response.js';
import { answer, type AnswerStream } from '../shared/answer-stream.js';

const SERVING_DEFAULT = 'serving_default';
const INTEGER_DTYPES = new Set(['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64']);
const V1 = /^\/v1\//i;

type PredictRoute = Extract<TfServingRoute, { kind: 'predict' | 'classify' | 'regress' }>;

/** Exact integers and the "1.0 is not an int" rule need the slower lossless parse. */
const needsLossless = (signature: Signature | undefined) => signature?.inputs.some((s) => INTEGER_DTYPES.has(s.dtype)) ?? false;

/** The :classify/:regress run, made outside `handle` so that no closure there holds the parsed body. */
const classifyCall =
  (kind: 'classify' | 'regress', body: JsonValue, model: ServedModel, examples: ReturnType<typeof readExamples> | undefined) =>
  (servable: Servable, pipeline: PipelineContext) =>
    classifyOrRegress(kind, body, model, servable, pipeline, examples);

/**
 * The body as text, a checkpoint, then parsed. Module-level on purpose: a generator function
 * written inside the handler is a new function per request, each with its own prototype for
 * its generator objects, and what V8 keeps for those kept every request's handler context
 * alive through the scavenges until a full GC (1.2 MB a scavenge at one instance a request:
 * docs/benchmarks/hotpath.md, session 5).
 */
function* textThenParse(raw: Buffer, contentType: string | undefined, options: ParseOptions): Steps<JsonValue> {
  const text = bodyText(raw, contentType);
  yield;
  return yield* parseTfServingBodySteps(text, options);
}

/** POST /v1/models/{m}[/versions/{v}|/labels/{l}]:(predict|classify|regress), on the hot path. */
export function tfServingPredict(ctx: ProtocolContext): PostEndpoint<string> {
  const dp = ctx.dataPlane;
  return {
    protocol: 'tfserving',
    // Every POST under /v1/ is TF Serving's: its handler words the malformed ones.
    match: (path) => (V1.test(path) ? path : undefined),
    model(path) {
      try {
        return parseTfServingPath('POST', path).model;
      } catch {
        return undefined;
      }
    },
    async handle(path, { headers, body: raw, scope, depthScannedWithin }): Promise<Reply> {
      const route = parseTfServingPath('POST', path) as PredictRoute;
      const selector = { ...(route.version !== undefined && { version: route.version }), ...(route.label !== undefined && { label: route.label }) };
      // TF Serving parses the body before it resolves the model, so a broken body on an
      // unknown model is a 400; resolution is attempted first only to choose the parser.
      let model: ServedModel | undefined;
      let servable: Servable | undefined;
      let resolveError: unknown;
      try {
        model = dp.model(route.model, selector);
        scope.model = model.name;
        // A yard's model may have to load first (bounded wait); an app's own model never does.
        servable = model.residency ? await dp.resolveLoaded(model, selector, scope) : dp.resolve(model, selector);
      } catch (err) {
        resolveError = err;
      }
      // A large body is read, decoded and answered in time slices (threads/time-slices.ts).
      const slicer = slicerFor(raw.length);
      const parse = (signature: Signature | undefined): Promise<JsonValue> | JsonValue => {
        const parseOptions = { lossless: route.kind !== 'predict' || needsLossless(signature), maxDepth: maxBodyDepth(signature), scannedWithin: depthScannedWithin };
        return drive(textThenParse(raw, headers['content-type'], parseOptions), slicer);
      };
      if (route.kind === 'predict' && slicer && model && servable && !resolveError && !needsLossless(servable.signature)) {
        // A large predict body may go straight from its bytes into tensors once the version's
        // signature is known (predict-from-bytes.ts); the parsed tree is then never built.
        return { status: 200, body: await predictFromBytesFirst(model, selector, parse) };
      }
      // `let`: released once decoded, so the parsed tree (10^5–10^6 objects for a large
      // body) is garbage during inference and encoding, not something V8 must mark again.
      let body: JsonValue | undefined = await parse(servable?.signature);
      const signatureName = readSignatureName(body);
      // :classify/:regress read their examples before the model is resolved, as TF Serving does.
      const examples = route.kind === 'predict' ? undefined : readExamples(body);
      if (!model || resolveError) throw resolveError;

      if (route.kind !== 'predict') {
        const text = await dp.use(scope, model, selector, classifyCall(route.kind, body, model, examples));
        return { status: 200, body: text };
      }
      if (signatureName !== SERVING_DEFAULT) throw invalidArgument(`Serving signature name: "${signatureName}" not found in signature def`);
      const text = await dp.infer<string | AnswerStream, Decoded & { format: PredictFormat; squeeze: boolean }>(scope, {
        model,
        selector,
        async decode(s) {
          const request = await drive(decodePredictRequestSteps(body!, s.signature), slicer);
          body = undefined;
          return { input: { kind: 'tensors' as const, tensors: request.inputs }, format: request.format as PredictFormat, squeeze: request.squeeze };
        },
        encode: (outputs, _s, decoded) => answer(encodePredictResponsePieces(decoded.format, outputs, Object.keys(outputs), decoded.squeeze), slicerForAnswer(slicer, outputs)),
      });
      return { status: 200, body: text };

      /** The fast decoder against the version's signature; the usual parse and decode when it does not read the body. */
      function predictFromBytesFirst(model: ServedModel, selector: VersionSelector, parse: (signature: Signature) => Promise<JsonValue> | JsonValue) {
        return dp.infer<string | AnswerStream, Decoded & { format: PredictFormat; squeeze: boolean }>(scope, {
          model,
          selector,
          async decode(s) {
            const fast = fastDecodable(raw.length, headers, s.signature) ? await drive(attempt(predictRequestFromBytes(raw, s.signature)), slicer) : undefined;
            let request: PredictRequest;
            if (fast) {
              if ((fast.signatureName || SERVING_DEFAULT) !== SERVING_DEFAULT) throw invalidArgument(`Serving signature name: "${fast.signatureName}" not found in signature def`);
              request = fast.request;
            } else {
              const parsed = await parse(s.signature);
              const signatureName = readSignatureName(parsed);
              if (signatureName !== SERVING_DEFAULT) throw invalidArgument(`Serving signature name: "${signatureName}" not found in signature def`);
              request = await drive(decodePredictRequestSteps(parsed, s.signature), slicer);
            }
            return { input: { kind: 'tensors' as const, tensors: request.inputs }, format: request.format, squeeze: request.squeeze };
          },
          encode: (outputs, _s, decoded) => answer(encodePredictResponsePieces(decoded.format, outputs, Object.keys(outputs), decoded.squeeze), slicerForAnswer(slicer, outputs)),
        });
      }
    },
    fail(err) {
      const { status, message, headers } = tfServingError(err, ctx.bodyLimit);
      return jsonReply(status, { error: message }, headers);
    },
  };
}
