import { tfservingSchema, type ModelConfig } from '../../config/schema.js';
import type { Backend, BackendLoadOptions } from '../backend.js';
import { CircuitBreaker, isOutage } from './circuit-breaker.js';
import { TfServingGrpcClient } from './grpc-client.js';
import type { GraphClient } from './graph-client.js';
import { TfServingRestClient } from './rest-client.js';

/**
 * The graph service: the model runs in its own TF Serving container and this backend
 * calls it. The signature comes from the graph service's metadata; readiness follows its
 * model status (polled) and the circuit breaker.
 */
export async function loadTfServingBackend(options: BackendLoadOptions, config: ModelConfig): Promise<Backend> {
  const settings = config.tfserving ?? tfservingSchema.parse({});
  // Deploy files may switch the transport without touching the model config.
  const protocol = process.env['TFSERVING_PROTOCOL'] ?? settings.protocol;
  if (protocol !== 'rest' && protocol !== 'grpc') throw new Error(`TFSERVING_PROTOCOL="${protocol}" must be rest or grpc`);
  const grpc = protocol === 'grpc';
  const address = grpc ? (settings.grpc ?? process.env['TFSERVING_GRPC']) : (settings.url ?? process.env['TFSERVING_URL']);
  if (!address) {
    throw new Error(grpc ? 'no graph service address: set "tfserving.grpc" in model.json or TFSERVING_GRPC' : 'no graph service address: set "tfserving.url" in model.json or TFSERVING_URL');
  }
  const clientOptions = { ...settings, address, model: settings.model ?? config.name, version: options.version };
  const client: GraphClient = grpc ? new TfServingGrpcClient(clientOptions) : new TfServingRestClient(clientOptions);

  let signature;
  try {
    signature = await client.signature();
  } catch (err) {
    client.close();
    // The graph service may simply not be up yet: the repository retries on its next poll.
    throw Object.assign(new Error(`cannot read the model's metadata from the graph service: ${(err as Error).message}`), { retryable: isOutage(err) });
  }
  const breaker = new CircuitBreaker(settings.breakerThreshold, settings.breakerCooldownMs);

  let available = true;
  const poll = setInterval(() => {
    client.state().then(
      (state) => (available = state === 'AVAILABLE'),
      () => (available = false),
    );
  }, settings.statusPollMs);
  poll.unref();

  return {
    signature,
    run: (inputs, outputs) =>
      breaker.call(`model ${config.name} version ${options.version}`, async () => {
        try {
          const result = await client.predict(inputs, signature, outputs);
          available = true;
          return result;
        } catch (err) {
          if (isOutage(err)) available = false;
          throw err;
        }
      }),
    ready: () => available && breaker.state !== 'open',
    describe: () => ({ graphService: { address, available, breaker: breaker.state } }),
    close: async () => {
      clearInterval(poll);
      client.close();
    },
  };
}
