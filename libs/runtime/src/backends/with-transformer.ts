import type { NamedTensors } from '../tensor/tensor.js';
import type { Backend } from './backend.js';
import { conformInputs } from './conform.js';

/**
 * A transformer in front of a model: callers send the transformer's inputs, its outputs
 * feed the model's inputs of the same names. Together they are one backend, so every
 * protocol, hooks and batching work unchanged.
 */
export function withTransformer(transformer: Backend, model: Backend): Backend {
  const produced = new Set(transformer.signature.outputs.map((o) => o.name));
  const missing = model.signature.inputs.filter((i) => !produced.has(i.name)).map((i) => i.name);
  if (missing.length) {
    throw new Error(`the transformer does not produce the model's input(s) ${missing.join(', ')} (it produces ${[...produced].join(', ')})`);
  }
  return {
    signature: { inputs: transformer.signature.inputs, outputs: model.signature.outputs },
    async run(inputs, outputs) {
      const features = await transformer.run(inputs, model.signature.inputs.map((i) => i.name));
      const feed: NamedTensors = {};
      for (const spec of model.signature.inputs) feed[spec.name] = features[spec.name]!;
      return model.run(conformInputs(feed, model.signature), outputs);
    },
    ...(model.ready && { ready: () => model.ready!() }),
    ...(model.describe && { describe: () => model.describe!() }),
    async close() {
      await Promise.all([transformer.close(), model.close()]);
    },
  };
}
