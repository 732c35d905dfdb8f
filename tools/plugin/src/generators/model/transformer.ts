import type { SignatureEntry } from './read-onnx-signature';

/** Where the transformer sits in each version folder, next to the model. */
export const TRANSFORMER_FILE = 'transformer.onnx';

/**
 * `--transformer`: an ONNX model in front of the model (the role the old services' pickled
 * transformer had). Callers send the transformer's inputs; its outputs feed the model's
 * inputs of the same names and types. Checked here, so a mismatch stops the generator
 * rather than every version load later.
 */
export function checkTransformer(transformer: { inputs: SignatureEntry[]; outputs: SignatureEntry[] }, model: { inputs: SignatureEntry[] }): void {
  const problems: string[] = [];
  for (const input of model.inputs) {
    const out = transformer.outputs.find((o) => o.name === input.name);
    if (!out) problems.push(`the model's input "${input.name}" is not an output of the transformer`);
    else if (out.dtype !== input.dtype) problems.push(`the transformer's output "${input.name}" is ${out.dtype}, the model's input is ${input.dtype}`);
  }
  if (problems.length) {
    throw new Error(
      `--transformer does not fit the model: ${problems.join('; ')}. The transformer's outputs are ${transformer.outputs.map((o) => `"${o.name}"`).join(', ')}; name them after the model's inputs (${model.inputs.map((i) => `"${i.name}"`).join(', ')}).`,
    );
  }
}
