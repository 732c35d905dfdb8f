import { Overloaded, ServingError } from '../../errors.js';

/** What a caller reads about a failure, before a protocol wraps it in its envelope. */
export interface ErrorDescription {
  status: number;
  message: string;
  headers?: Record<string, string>;
}

interface HttpError extends Error {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

export const INTERNAL_MESSAGE = 'internal error; the request id is in the x-request-id header and the server log';

/**
 * Any thrown thing → the status and neutral message a client may see; never a stack trace.
 * Typed errors carry their own words; protocols with their own texts (TF Serving) map the
 * typed errors first and fall back to this.
 */
export function describeError(err: unknown, bodyLimit: string): ErrorDescription {
  if (err instanceof Overloaded) return { status: 503, message: err.message, headers: { 'retry-after': String(err.retryAfterSeconds) } };
  if (err instanceof ServingError) return { status: err.httpStatus, message: err.message };
  const e = err as HttpError;
  // Express's body parsers (left only on the ops routes) report these.
  switch (e?.type) {
    case 'entity.too.large':
      return { status: 413, message: `request body is larger than the limit of ${bodyLimit}` };
    case 'entity.parse.failed':
      return { status: 400, message: `request body is not valid JSON: ${e.message}` };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, message: e.message };
    case 'request.aborted':
      return { status: 400, message: 'request aborted by the client' };
  }
  const status = e?.status ?? e?.statusCode;
  if (status && status >= 400 && status < 500 && e.expose !== false) return { status, message: e.message };
  return { status: 500, message: INTERNAL_MESSAGE };
}
