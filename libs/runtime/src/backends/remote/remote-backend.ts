import type { Signature, NamedTensors } from '../../tensor/tensor.js';
import type { Backend } from '../backend.js';
import { RetryLoadError } from '../load-error.js';
import { CircuitBreaker, isOutage } from './circuit-breaker.js';

/** One model version on a graph service, whatever its wire protocol. */
export interface GraphClient {
  signature(): Promise<Signature>;
  /** Whether the version can serve there now (TF Serving: AVAILABLE; v2: .../ready). */
  ready(): Promise<boolean>;
  infer(inputs: NamedTensors, signature: Signature, outputs?: readonly string[]): Promise<NamedTensors>;
  close(): void;
}

/** The settings every remote backend shares (each backend's block has these fields). */
export interface RemoteSettings {
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  breakerThreshold: number;
  breakerCooldownMs: number;
  statusPollMs: number;
}

/**
 * A backend whose graph runs elsewhere: the signature comes from the peer's metadata,
 * readiness follows the peer's model status (polled) and the circuit breaker, and every
 * call goes through the one breaker — the same for TF Serving and for v2 peers.
 */
export async function remoteBackend(client: GraphClient, settings: RemoteSettings, address: string, what: string): Promise<Backend> {
  let signature: Signature;
  try {
    signature = await client.signature();
  } catch (err) {
    client.close();
    const message = `cannot read the model's metadata from the graph service: ${(err as Error).message}`;
    // The graph service may simply not be up yet: the repository retries on its next poll.
    throw isOutage(err) ? new RetryLoadError(message, { cause: err }) : new Error(message, { cause: err });
  }
  const breaker = new CircuitBreaker(settings.breakerThreshold, settings.breakerCooldownMs);
  let available = true;
  const poll = setInterval(() => {
    client.ready().then(
      (ready) => (available = ready),
      () => (available = false),
    );
  }, settings.statusPollMs);
  poll.unref();
  return {
    signature,
    run: (inputs, outputs) =>
      breaker.call(what, async () => {
        try {
          const result = await client.infer(inputs, signature, outputs);
          available = true;
          return result;
        } catch (err) {
          if (isOutage(err)) available = false;
          throw err;
        }
      }),
    ready: () => available && breaker.state !== 'open',
    unavailableReason: () =>
      breaker.state === 'open' ? `the graph service at ${address} keeps failing; the circuit is open` : available ? undefined : `the graph service at ${address} does not serve the model right now`,
    describe: () => ({ graphService: { address, available, breaker: breaker.state } }),
    close: async () => {
      clearInterval(poll);
      client.close();
    },
  };
}
