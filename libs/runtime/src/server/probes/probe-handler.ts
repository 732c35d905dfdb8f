import type { RequestListener } from 'node:http';
import type { ProbeReading } from './probe-state.js';

/**
 * The probe port's answers, with the main port's paths and bodies (`{"live": true}`,
 * `{"ready": true}`), so Kubernetes can point its probes at either port unchanged.
 *
 * live: the serving event loop turned within `stallMs`. A loop that is merely busy (an
 * overload, a 10 MB body) still turns every few hundred milliseconds and stays live; one
 * stuck in a synchronous loop or a deadlock does not, and the kubelet restarts the pod.
 * ready: the server says it is ready AND it is live; a stalled server takes no traffic.
 */
export function probeHandler(read: () => ProbeReading, stallMs: number): RequestListener {
  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    let status: number;
    let body: Record<string, unknown>;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      status = 405;
      body = { error: `${req.method} is not allowed on the probe port: use GET /v2/health/live or /v2/health/ready` };
    } else if (path === '/v2/health/live' || path === '/v2/health/ready') {
      const { heartbeatAgeMs, ready } = read();
      const live = heartbeatAgeMs <= stallMs;
      const stalled = `the serving event loop has not turned for ${(heartbeatAgeMs / 1000).toFixed(1)} s (limit ${stallMs / 1000} s)`;
      if (path === '/v2/health/live') {
        status = live ? 200 : 503;
        body = live ? { live: true } : { live: false, error: stalled };
      } else {
        status = live && ready ? 200 : 503;
        body = live ? { ready } : { ready: false, error: stalled };
      }
    } else {
      status = 404;
      body = { error: `no probe at ${path}: the probe port answers GET /v2/health/live and /v2/health/ready` };
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...(status === 405 && { allow: 'GET, HEAD' }) });
    res.end(req.method === 'HEAD' ? undefined : text);
  };
}
