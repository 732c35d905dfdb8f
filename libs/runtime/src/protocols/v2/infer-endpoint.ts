import type { IncomingHttpHeaders } from 'node:http';
import { bodyText, parseJsonBody } from '../shared/body.js';
import type { ProtocolContext } from '../shared/context.js';
import { jsonReply, type PostEndpoint, type Reply } from '../shared/endpoint.js';
import { describeError } from '../shared/errors.js';
import { versionSelector } from '../shared/version-selector.js';
import { decodeInferRequest, encodeInferResponse, type InferRequest } from './codec.js';

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
 * The body as the v2 codec reads it. JSON today; the binary tensor extension plugs in
 * here (it needs the raw bytes and the Inference-Header-Content-Length header).
 */
export function readInferBody(raw: Buffer, headers: IncomingHttpHeaders): unknown {
  return parseJsonBody(bodyText(raw, headers['content-type']));
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
      const body = readInferBody(raw, headers);
      const model = dp.model(m.model);
      scope.model = model.name;
      const text = await dp.infer(scope, {
        model,
        selector: versionSelector(m.version),
        decode(servable) {
          const request: InferRequest = decodeInferRequest(body, servable.signature);
          return { input: { kind: 'tensors' as const, tensors: request.inputs }, outputs: request.outputs, id: request.id };
        },
        encode: (outputs, servable, decoded) =>
          JSON.stringify(encodeInferResponse(model.name, servable.version, decoded.id, outputs, decoded.outputs ?? Object.keys(outputs))),
      });
      return { status: 200, body: text };
    },
    fail(err) {
      const { status, message, headers } = describeError(err, ctx.bodyLimit);
      return jsonReply(status, { error: message }, headers);
    },
  };
}
