import type { Response } from 'express';
import type { RequestScope } from '../../dataplane/request-scope.js';

/** The data plane's scope of a request served by Express (set by the server's middleware). */
export function scopeOf(res: Response): RequestScope {
  const scope = res.locals['scope'] as RequestScope | undefined;
  if (!scope) throw new Error('no request scope: the server middleware did not run');
  return scope;
}
