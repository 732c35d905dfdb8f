import type { IncomingHttpHeaders } from 'node:http';
import { drive, slicerFor, slicerForAnswer, type Steps } from '../../threads/time-slices.js';
import { readJsonBodySteps } from '../shared/body.js';
import type { ProtocolContext } from '../shared/context.js';
import { jsonReply, type PostEndpoint, type Reply } from '../shared/endpoint.js';
import { describeError } from '../shared/errors.js';
import { versionSelector } from '../shared/version-selector.js';
import { attempt, fastDecodable } from '../shared/large-body/columns.js';
import { inferRequestFromBytes } from './infer-from-bytes.js';
import { decodeV2InferBodySteps, encodeV2InferResponseSteps, HEADER_LENGTH, type EncodedResponse } from './binary-codec.js';
import { inferResponsePieces } from './codec.js';
import { streamAnswer, type AnswerStream } from '../shared/answer-stream.js';

/** The fast decoder reads no `parameters`: every output goes back as JSON. */
const NO_BINARY_OUTPUT = () => false;

const INFER_PATH = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?\/infer\/?$/i;

interface InferMatch {
  model: string;
  version: string | undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The body as the v2 codec reads it: JSON, or with Inference-Header-Content-Length the
 * binary tensor extension's bytes, kept raw for binary-codec.ts to decode against the signature.
 */
function* readInferBodySteps(raw: Buffer, headers: IncomingHttpHeaders, scannedWithin: number | undefined): Steps<unknown> {
  if (headers[HEADER_LENGTH] !== undefined) return raw;
  return yield* readJsonBodySteps(raw, headers['content-type'], scannedWithin);
}

/** POST /v2/models/{m}[/versions/{v}]/infer, on the hot path. */
export function v2Infer(ctx: ProtocolContext): PostEndpoint<InferMatch> {
  const dp = ctx.dataPlane;
  return {
    protocol: 'v2',
    match(path) {
      const m = INFER_PATH.exec(path);
      return m ? { model: decodeSegment(m[1]!), version: m[2] === undefined ? undefined : decodeSegment(m[2]) } : undefined;
    },
    model: (m) => m.model,
    async handle(m, { headers, body: raw, scope, depthScannedWithin }): Promise<Reply> {
      // A large body is read, decoded and answered in time slices (threads/time-slices.ts).
      const slicer = slicerFor(raw.length);
      const headerLength = headers[HEADER_LENGTH] as string | undefined;
      // A large JSON body may go straight from its bytes into tensors once the version's
      // signature is known (infer-from-bytes.ts); it is then never parsed into objects. As the
      // usual path, an unknown model with a broken body is the body's 400.
      const fast = slicer !== undefined && headerLength === undefined && dp.models.find(m.model) !== undefined;
      // `let`: released once decoded, so the parsed tree is garbage during inference and encoding.
      let body: unknown = fast ? undefined : await drive(readInferBodySteps(raw, headers, depthScannedWithin), slicer);
      const model = dp.model(m.model);
      scope.model = model.name;
      const reply = await dp.infer(scope, {
        model,
        selector: versionSelector(m.version),
        async decode(servable) {
          if (fast) {
            const request = fastDecodable(raw.length, headers, servable.signature) ? await drive(attempt(inferRequestFromBytes(raw, servable.signature)), slicer) : undefined;
            if (request) return { input: { kind: 'tensors' as const, tensors: request.inputs }, outputs: request.outputs, id: request.id, binaryOutput: NO_BINARY_OUTPUT };
            body = await drive(readInferBodySteps(raw, headers, depthScannedWithin), slicer);
          }
          const { request, binaryOutput } = await drive(decodeV2InferBodySteps(body, headerLength, servable.signature), slicer);
          body = undefined;
          return { input: { kind: 'tensors' as const, tensors: request.inputs }, outputs: request.outputs, id: request.id, binaryOutput };
        },
        encode(outputs, servable, decoded): EncodedResponse | AnswerStream | Promise<EncodedResponse | AnswerStream> {
          const answerSlicer = slicerForAnswer(slicer, outputs);
          const order = decoded.outputs ?? Object.keys(outputs);
          // A large all-JSON answer is written as it is made (answer-stream.ts).
          if (answerSlicer && !order.some((name) => outputs[name] && decoded.binaryOutput(name))) {
            return streamAnswer(inferResponsePieces(model.name, servable.version, decoded.id, outputs, order), answerSlicer);
          }
          const steps = encodeV2InferResponseSteps(model.name, servable.version, decoded.id, outputs, decoded.outputs ?? Object.keys(outputs), decoded.binaryOutput, answerSlicer !== undefined);
          return drive(steps, answerSlicer);
        },
      });
      if (reply.kind === 'stream' || reply.kind === 'text') return { status: 200, body: reply.kind === 'stream' ? reply : reply.body };
      if (reply.kind === 'json') return { status: 200, body: JSON.stringify(reply.body) };
      return {
        status: 200,
        body: reply.body,
        headers: { 'content-type': 'application/octet-stream', [HEADER_LENGTH]: String(reply.headerLength) },
      };
    },
    fail(err) {
      const { status, message, headers } = describeError(err, ctx.bodyLimit);
      return jsonReply(status, { error: message }, headers);
    },
  };
}
