import { ServingError } from '../../errors.js';
import type { NamedTensors, Signature } from '../../tensor/tensor.js';

/** One model version on the graph service, over REST or gRPC. */
export interface GraphClient {
  signature(): Promise<Signature>;
  /** The version's state there: AVAILABLE when it can serve. */
  state(): Promise<string | undefined>;
  predict(inputs: NamedTensors, signature: Signature, outputs?: readonly string[]): Promise<NamedTensors>;
  close(): void;
}

export interface ClientOptions {
  /** REST: http://host:8501; gRPC: host:8500. */
  address: string;
  model: string;
  version: number;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Retries what the graph service could not take (UNAVAILABLE: refused, reset, 503) with
 * exponential backoff; predict has no side effects, so that is safe. Timeouts are not
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
