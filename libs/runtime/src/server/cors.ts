import type { IncomingMessage, ServerResponse } from 'node:http';

/** Headers every answer carries when CORS_ALLOW_ORIGIN is set. */
export function corsHeaders(origin: string): Record<string, string> {
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': 'x-request-id, retry-after',
    ...(origin !== '*' && { vary: 'Origin' }),
  };
}

/**
 * OPTIONS: 204 with the methods the path takes (Allow). With CORS on, a browser's
 * preflight also learns which methods and headers it may send.
 */
export function preflight(req: IncomingMessage, res: ServerResponse, allow: string, cors: string | undefined): void {
  const headers: Record<string, string> = { allow };
  if (cors) {
    headers['access-control-allow-methods'] = allow;
    const asked = req.headers['access-control-request-headers'];
    headers['access-control-allow-headers'] = typeof asked === 'string' && asked ? asked : 'content-type, x-request-id';
    headers['access-control-max-age'] = '600';
  }
  res.writeHead(204, headers);
  res.end();
  // A body sent with OPTIONS is not read; let it drain.
  req.resume();
}
