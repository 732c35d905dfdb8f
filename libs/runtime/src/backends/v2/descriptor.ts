import { z } from 'zod';
import { defineBackend } from '../descriptor.js';
import { remoteOptionsShape } from '../remote/remote-options.js';

export const v2Options = z.strictObject({
  /** The graph service's REST address (http://host:8000 on Triton); default $V2_URL (the deploy files set it). */
  url: z.string().url().optional(),
  /** The model's name on the graph service; default: this model's name. */
  model: z.string().min(1).optional(),
  /**
   * `same`: call /v2/models/{m}/versions/{v} with this version's number (Triton's
   * model_repository has the same version folders); `latest`: /v2/models/{m}, for peers
   * that serve one unversioned model (KServe, MLServer).
   */
  versions: z.enum(['same', 'latest']).default('same'),
  /**
   * The binary tensor extension: `auto` uses it when the peer's server metadata lists
   * binary_tensor_data (Triton and modelyard do); `never` always sends JSON.
   */
  binary: z.enum(['auto', 'never']).default('auto'),
  ...remoteOptionsShape,
});
export type V2Options = z.infer<typeof v2Options>;

/**
 * A graph service speaking the Open Inference Protocol v2 (Triton, KServe, MLServer, or
 * another modelyard app): the logic app sends it tensors over REST.
 */
export const v2Backend = defineBackend({
  kind: 'v2',
  // models/<name>/ is laid out as Triton's model_repository/<name>/ (config.pbtxt beside the
  // version folders), and model.onnx is Triton's default file name for an ONNX graph.
  defaultArtifact: 'model.onnx',
  platform: 'open_inference_v2',
  options: v2Options,
  load: async (context) => (await import('./v2-backend.js')).loadV2Backend(context),
  image: { packages: [], graph: 'v2', inProcess: false },
});
