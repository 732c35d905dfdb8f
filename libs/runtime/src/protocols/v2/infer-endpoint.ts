import type { IncomingHttpHeaders } from 'node:http';
import { drive, slicerFor, slicerForAnswer, type Steps } from '../../threads/time-slices.js';
import { readJsonBodySteps } from '../shared/body.js';
import type { ProtocolContext } from '../shared/context.js';
import { jsonReply, type PostEndpoint, type Reply } from '../shared/endpoint.js';
import { describeError } from '../shared/errors.js';
import { versionSelector } from '../shared/version-selector.js';
import { decodeV2InferBodySteps, encodeV2InferResponseSteps, HEADER_LENGTH } from './binary-codec.js';

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
function* readInferBodySteps(raw: Buffer, headers: IncomingHttpHeaders): Steps<unknown> {
  if (headers[HEADER_LENGTH] !== undefined) return raw;
  return yield* readJsonBodySteps(raw, headers['content-type']);
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
    async handle(m, { headers, body: raw, scope }): Promise<Reply> {
      // A large body is read, decoded and answered in time slices (threads/time-slices.ts).
      const slicer = slicerFor(raw.length);
      // `let`: released once decoded, so the parsed tree is garbage during inference and encoding.
      let body: unknown = await drive(readInferBodySteps(raw, headers), slicer);
      const model = dp.model(m.model);
      scope.model = model.name;
      const headerLength = headers[HEADER_LENGTH] as string | undefined;
      const reply = await dp.infer(scope, {
        model,
        selector: versionSelector(m.version),
        async decode(servable) {
          const { request, binaryOutput } = await drive(decodeV2InferBodySteps(body, headerLength, servable.signature), slicer);
          body = undefined;
          return { input: { kind: 'tensors' as const, tensors: request.inputs }, outputs: request.outputs, id: request.id, binaryOutput };
        },
        encode(outputs, servable, decoded) {
          const answerSlicer = slicerForAnswer(slicer, outputs);
          const steps = encodeV2InferResponseSteps(model.name, servable.version, decoded.id, outputs, decoded.outputs ?? Object.keys(outputs), decoded.binaryOutput, answerSlicer !== undefined);
          return drive(steps, answerSlicer);
        },
      });
      if (reply.kind === 'text') return { status: 200, body: reply.body };
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
