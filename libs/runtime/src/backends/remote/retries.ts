import { ServingError } from '../../errors.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Retries what the graph service could not take (UNAVAILABLE: refused, reset, 503) with
 * exponential backoff; inference has no side effects, so that is safe. Timeouts are not
 * retried: a stuck peer costs one timeout, not several.
 */
export async function withRetries<T>(fn: () => Promise<T>, retries: number, backoffMs: number): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof ServingError && err.code === 'UNAVAILABLE') || attempt >= retries) throw err;
      await sleep(backoffMs * 2 ** attempt);
    }
  }
}
