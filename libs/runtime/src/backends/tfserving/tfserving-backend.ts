import type { Backend } from '../backend.js';
import type { BackendLoadContext } from '../descriptor.js';
import type { GraphClient } from '../remote/remote-backend.js';
import { remoteBackend } from '../remote/remote-backend.js';
import type { TfServingOptions } from './descriptor.js';
import { TfServingGrpcClient } from './grpc-client.js';
import { TfServingRestClient } from './rest-client.js';

/**
 * The graph service: the model runs in its own TF Serving container and this backend
 * calls it, over REST or gRPC, through the shared remote backend (breaker, retries,
 * readiness from the peer's model status).
 */
export async function loadTfServingBackend({ load, config, options, env }: BackendLoadContext<TfServingOptions>): Promise<Backend> {
  // Deploy files may switch the transport without touching the model config.
  const grpc = (env.tfservingProtocol ?? options.protocol) === 'grpc';
  const address = grpc ? (options.grpc ?? env.tfservingGrpc) : (options.url ?? env.tfservingUrl);
  if (!address) {
    throw new Error(grpc ? 'no graph service address: set "tfserving.grpc" in model.json or TFSERVING_GRPC' : 'no graph service address: set "tfserving.url" in model.json or TFSERVING_URL');
  }
  const clientOptions = { ...options, address, model: options.model ?? config.name, version: load.version };
  const client: GraphClient = grpc ? new TfServingGrpcClient(clientOptions) : new TfServingRestClient(clientOptions);
  return remoteBackend(client, options, address, `model ${config.name} version ${load.version}`);
}
