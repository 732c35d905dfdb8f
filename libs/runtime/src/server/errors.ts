import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ServingError } from '../errors.js';

interface HttpError extends Error {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  limit?: number;
}

/** Any thrown thing → the status and message a client may see. Never a stack trace. */
export function describeError(err: unknown, bodyLimit: string): { status: number; message: string } {
  if (err instanceof ServingError) return { status: err.httpStatus, message: err.message };
  const e = err as HttpError;
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
  return { status: 500, message: 'internal error; the request id is in the x-request-id header and the server log' };
}

/** JSON errors everywhere: `{"error": "..."}`. 5xx are logged with their stack. */
export function jsonErrors(bodyLimit: string): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const { status, message } = describeError(err, bodyLimit);
    if (status >= 500) req.log?.error({ err }, 'request failed');
    if (res.headersSent) return res.end();
    res.status(status).json({ error: message });
  };
}

export const notFoundRoute: RequestHandler = (req, res) => {
  res.status(404).json({ error: `no route for ${req.method} ${req.path}` });
};
