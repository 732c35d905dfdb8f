import { z } from 'zod';
import { defineBackend } from '../descriptor.js';

/** tfjs has no per-model settings: which tfjs backend runs is process-wide (TFJS_BACKEND). */
export const tfjsOptions = z.strictObject({});

/** TensorFlow.js layers and graph models in process (tfjs-node when it loads, else WASM). */
export const tfjsBackend = defineBackend({
  kind: 'tfjs',
  defaultArtifact: 'model.json',
  platform: 'tensorflowjs',
  options: tfjsOptions,
  load: async ({ load, config, env }) => (await import('./tfjs-backend.js')).loadTfjsBackend(load, config, env.tfjsBackend),
  image: { packages: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'], inProcess: true },
});
