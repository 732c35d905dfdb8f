import type { ProtocolContext } from '../shared/context.js';
import { jsonReply, type Reply } from '../shared/endpoint.js';

/*
 * The v2 health endpoints, which the fast dispatcher answers before anything else. Kept
 * apart from the Express routes (metadata-routes.ts) so that serving probes and predictions
 * never imports Express: the Express side loads on its first request (server/create-app.ts).
 */

/** GET /v2/health/live: the process answers. Served by the fast dispatcher, before any body work. */
export const liveReply = (ctx: ProtocolContext): Reply => jsonReply(200, { live: ctx.dataPlane.live() });

/** GET /v2/health/ready: every model can serve and no shutdown has begun. */
export function readyReply(ctx: ProtocolContext): Reply {
  const ready = ctx.dataPlane.ready();
  return jsonReply(ready ? 200 : 503, { ready });
}
