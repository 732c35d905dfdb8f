import { ServingError, type StatusCode } from '../../errors.js';

const CODE_OF_STATUS: Record<number, StatusCode> = {
  400: 'INVALID_ARGUMENT',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/**
 * One HTTP call to a graph service, with its failures as status codes the breaker and the
 * retries understand: unreachable → UNAVAILABLE, too slow → DEADLINE_EXCEEDED. Node's fetch
 * keeps connections alive and reuses them.
 */
export async function callGraphService(address: string, url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    if (e.name === 'TimeoutError') throw new ServingError('DEADLINE_EXCEEDED', `the graph service at ${address} did not answer within ${timeoutMs} ms`);
    throw new ServingError('UNAVAILABLE', `the graph service at ${address} is unreachable (${e.cause?.code ?? e.message})`);
  }
}

/** A non-2xx answer as an error carrying the peer's own words ({"error": ...} on TF Serving and v2). */
export function graphServiceError(status: number, text: string): ServingError {
  let message = text;
  try {
    message = (JSON.parse(text) as { error?: string }).error ?? text;
  } catch {
    // not JSON: keep the text
  }
  return new ServingError(CODE_OF_STATUS[status] ?? 'INTERNAL', `graph service: ${message}`);
}
