import type { IncomingHttpHeaders } from 'node:http';
import type { RequestScope } from '../../dataplane/request-scope.js';
import type { Protocol } from '../../inference/hooks.js';
import type { AnswerStream } from './answer-stream.js';

/**
 * An answer ready to write with one `end()`: JSON text, or bytes (v2 binary tensors) with
 * their content-type; or a large JSON answer to write a piece at a time (answer-stream.ts).
 */
export interface Reply {
  status: number;
  body: string | Buffer | AnswerStream;
  headers?: Record<string, string>;
}

export const jsonReply = (status: number, value: unknown, headers?: Record<string, string>): Reply => ({ status, body: JSON.stringify(value), ...(headers && { headers }) });

/** A POST request on the hot path: the raw body bytes and headers; the codec decides how to read them. */
export interface PostRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  scope: RequestScope;
  /** The depth limit the body was already scanned against as it arrived (json-depth.ts depthScannedWithin), if any. */
  depthScannedWithin?: number;
}

/**
 * A protocol's prediction endpoint as the server's fast dispatcher drives it: no Express,
 * no body-parser. `match` claims a path, `model` names the model to admit against (known
 * from the URL, so a flood is refused before any body is read), `handle` turns the body
 * into calls on the data plane, `fail` words an error in the protocol's own envelope.
 */
export interface PostEndpoint<M = unknown> {
  protocol: Protocol;
  match(path: string): M | undefined;
  model(match: M): string | undefined;
  handle(match: M, request: PostRequest): Promise<Reply>;
  fail(err: unknown): Reply;
}
