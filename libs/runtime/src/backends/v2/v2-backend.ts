import type { Backend } from '../backend.js';
import type { BackendLoadContext } from '../descriptor.js';
import { remoteBackend } from '../remote/remote-backend.js';
import type { V2Options } from './descriptor.js';
import { V2RestClient } from './v2-client.js';

/**
 * The graph runs on an Open Inference Protocol v2 peer; this backend calls it through the
 * shared remote backend (the same breaker, retries and readiness as tfserving's).
 */
export async function loadV2Backend({ load, config, options, env }: BackendLoadContext<V2Options>): Promise<Backend> {
  const address = options.url ?? env.v2Url;
  if (!address) throw new Error('no graph service address: set "v2.url" in model.json or V2_URL');
  const client = new V2RestClient({
    ...options,
    address,
    model: options.model ?? config.name,
    version: options.versions === 'same' ? load.version : undefined,
  });
  return remoteBackend(client, options, address, `model ${config.name} version ${load.version}`);
}
