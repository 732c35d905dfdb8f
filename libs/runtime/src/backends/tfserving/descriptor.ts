import { z } from 'zod';
import { defineBackend } from '../descriptor.js';
import { remoteOptionsShape } from '../remote/remote-options.js';

export const tfservingOptions = z.strictObject({
  /** TF Serving's REST address; default $TFSERVING_URL (the deploy files set it). */
  url: z.string().url().optional(),
  /** TF Serving's gRPC address (host:port); default $TFSERVING_GRPC. */
  grpc: z.string().regex(/^[\w.-]+:\d+$/, 'must be host:port').optional(),
  /** The model's name on the graph service; default: this model's name. */
  model: z.string().min(1).optional(),
  /** TFSERVING_PROTOCOL overrides it. */
  protocol: z.enum(['rest', 'grpc']).default('rest'),
  ...remoteOptionsShape,
});
export type TfServingOptions = z.infer<typeof tfservingOptions>;

/** TF Serving as the graph service (REST :8501 or gRPC :8500), paired with its own image. */
export const tfservingBackend = defineBackend({
  kind: 'tfserving',
  defaultArtifact: 'saved_model.pb',
  platform: 'tensorflow_savedmodel',
  options: tfservingOptions,
  load: async (context) => (await import('./tfserving-backend.js')).loadTfServingBackend(context),
  image: { packages: ['@grpc/grpc-js', '@grpc/proto-loader'], graph: 'tfserving', inProcess: false },
});
