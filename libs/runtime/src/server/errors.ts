import type { ErrorRequestHandler, RequestHandler } from 'express';
import { describeError } from '../protocols/shared/errors.js';

export { describeError };

/** JSON errors everywhere: `{"error": "..."}`. 5xx are logged with their stack. */
export function jsonErrors(bodyLimit: string): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const { status, message, headers } = describeError(err, bodyLimit);
    if (status >= 500) req.log?.error({ err }, 'request failed');
    if (res.headersSent) return res.end();
    if (headers) res.set(headers);
    res.status(status).json({ error: message });
  };
}

export const notFoundRoute: RequestHandler = (req, res) => {
  res.status(404).json({ error: `no route for ${req.method} ${req.path}` });
};
