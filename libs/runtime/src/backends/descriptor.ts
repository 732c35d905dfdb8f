import type { z } from 'zod';
import type { BackendEnv } from '../config/env.js';
import type { ModelConfig } from '../config/schema.js';
import type { Backend, BackendLoadOptions } from './backend.js';

/**
 * Everything modelyard needs to know about one kind of backend, in one place: the config
 * (its settings block, default artifact), the v2 metadata (platform), how to load a version,
 * and what its image needs. Every list of backends — model.json's schema, PLATFORMS, the
 * generator's choices — is derived from the registered descriptors (registry.ts).
 */
export interface BackendDescriptor<Options = unknown> {
  /** The value of "backend" in model.json, and the name of its settings block. */
  readonly kind: string;
  /** The file in each version folder whose presence marks it loadable. */
  readonly defaultArtifact: string;
  /** The `platform` of the v2 model metadata (KServe's names: onnxruntime_onnx, ...). */
  readonly platform: string;
  /** The settings block; every field optional or defaulted, so `{}` parses. */
  readonly options: z.ZodType<Options>;
  /**
   * Loads one version. Imports its implementation lazily, so an app loads only its own
   * backend (onnxruntime and tfjs are large) and an image can leave the others out.
   * A load that should be retried on the next poll (a graph service not up yet) throws
   * RetryLoadError.
   */
  load(context: BackendLoadContext<Options>): Promise<Backend>;
  /** What the image recipe and the generator need. */
  readonly image: BackendImage;
}

export interface BackendLoadContext<Options> {
  load: BackendLoadOptions;
  config: ModelConfig;
  /** The backend's settings block, parsed with its defaults. */
  options: Options;
  /** The environment settings (config/env.ts), read once by the caller. */
  env: BackendEnv;
}

export interface BackendImage {
  /**
   * The runtime dependencies the app image keeps for this backend (the others are pruned).
   * Held against the backend's image recipe and libs/runtime/package.json by
   * tools/deploy/backend-lists.test.ts: a recipe that prunes one of them fails the build.
   */
  readonly packages: readonly string[];
  /**
   * A remote backend runs the graph in a separate service the generator pairs with the
   * app: which wire protocol it speaks. In-process backends have none.
   */
  readonly graph?: 'tfserving' | 'v2';
  /** Whether the backend can run a transformer in process (remote ones cannot). */
  readonly inProcess: boolean;
}

/** Keeps `Options` tied between `options` and `load` when a descriptor is written. */
export const defineBackend = <Options>(descriptor: BackendDescriptor<Options>): BackendDescriptor<Options> => descriptor;
