import type { ModelConfig } from '../config/schema.js';
import type { Signature } from '../tensor/tensor.js';

/**
 * A config that disagrees with the artifact (a renamed input, a changed dtype) fails the
 * load of that version with the reason, rather than every request later.
 */
export function checkConfigAgainstSignature(config: ModelConfig, signature: Signature): void {
  const problems: string[] = [];
  for (const input of config.inputs ?? []) {
    const spec = signature.inputs.find((s) => s.name === input.name);
    if (!spec) {
      problems.push(`config input "${input.name}" is not an input of the model (${signature.inputs.map((s) => s.name).join(', ')})`);
      continue;
    }
    if (input.dtype && input.dtype !== spec.dtype) problems.push(`input "${input.name}": config says ${input.dtype}, model says ${spec.dtype}`);
    if (input.shape && spec.shape && JSON.stringify(input.shape) !== JSON.stringify(spec.shape)) {
      problems.push(`input "${input.name}": config says shape [${input.shape}], model says [${spec.shape}]`);
    }
    if (input.fields && spec.shape && spec.shape.length === 2 && spec.shape[1]! >= 0 && spec.shape[1] !== input.fields.length) {
      problems.push(`input "${input.name}" takes ${spec.shape[1]} columns but the config lists ${input.fields.length} fields`);
    }
  }
  for (const output of config.outputs ?? []) {
    if (!signature.outputs.some((s) => s.name === output.name)) {
      problems.push(`config output "${output.name}" is not an output of the model (${signature.outputs.map((s) => s.name).join(', ')})`);
    }
  }
  if (problems.length) throw new Error(`the model does not match its config: ${problems.join('; ')}`);
}
