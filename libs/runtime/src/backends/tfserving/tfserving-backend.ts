import { tfservingSchema, type ModelConfig } from '../../config/schema.js';
import type { Backend, BackendLoadOptions } from '../backend.js';
import { CircuitBreaker, isOutage } from './circuit-breaker.js';
import { TfServingRestClient } from './rest-client.js';
import { signatureFromMetadata } from './signature-from-metadata.js';

/**
 * The graph service: the model runs in its own TF Serving container and this backend
 * calls it. The signature comes from the graph service's metadata; readiness follows its
 * model status (polled) and the circuit breaker.
 */
export async function loadTfServingBackend(options: BackendLoadOptions, config: ModelConfig): Promise<Backend> {
  const settings = config.tfserving ?? tfservingSchema.parse({});
  const url = settings.url ?? process.env['TFSERVING_URL'];
  if (!url) throw new Error('no graph service address: set "tfserving.url" in model.json or TFSERVING_URL');
  const client = new TfServingRestClient({ ...settings, url, model: settings.model ?? config.name, version: options.version });

  let metadata;
  try {
    metadata = await client.metadata();
  } catch (err) {
    // The graph service may simply not be up yet: the repository retries on its next poll.
    throw Object.assign(new Error(`cannot read the model's metadata from the graph service: ${(err as Error).message}`), { retryable: isOutage(err) });
  }
  const signature = signatureFromMetadata(metadata);
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
    close: async () => clearInterval(poll),
  };
}
