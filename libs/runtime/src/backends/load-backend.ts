import { readBackendEnv, type BackendEnv } from '../config/env.js';
import type { ModelConfig } from '../config/schema.js';
import type { Backend, BackendLoadOptions } from './backend.js';
import { backendDescriptor } from './registry.js';

/**
 * Loads one version with the backend its config names, handing the backend its own
 * settings block (parsed, defaults filled) and the environment settings (read by config/env.ts,
 * never by a backend itself).
 */
export async function loadBackend(options: BackendLoadOptions, config: ModelConfig, env: BackendEnv = readBackendEnv()): Promise<Backend> {
  const descriptor = backendDescriptor(config.backend);
  const block = (config as unknown as Record<string, unknown>)[descriptor.kind];
  return descriptor.load({ load: options, config, options: descriptor.options.parse(block ?? {}), env });
}
