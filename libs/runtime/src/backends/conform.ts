import { invalidArgument } from '../errors.js';
import { elementCount, type NamedTensors, type Signature, type Tensor, type TensorSpec } from '../tensor/tensor.js';

const fmt = (shape: readonly number[] | null) => (shape ? `[${shape.join(', ')}]` : 'any shape');

function fits(shape: readonly number[], spec: readonly number[]): boolean {
  return shape.length === spec.length && spec.every((d, i) => d === -1 || d === shape[i]);
}

/**
 * Protocols read shapes off the JSON (TF Serving never checks them against the signature),
 * so a column sent as [1, 2, 3] must still reach an input declared [-1, 1]. When the rank
 * differs but the batch and the element count agree, the tensor is reshaped — a view, not
 * a copy; anything else is the caller's error, named.
 */
function conformShape(name: string, t: Tensor, spec: TensorSpec): Tensor {
  if (!spec.shape || fits(t.shape, spec.shape)) return t;
  const fixed = spec.shape.slice(1);
  if (t.shape.length >= 1 && fixed.every((d) => d >= 0)) {
    const candidate = [t.shape[0]!, ...fixed];
    if (elementCount(candidate) === t.data.length && fits(candidate, spec.shape)) return { ...t, shape: candidate };
  }
  throw invalidArgument(`input "${name}" has shape ${fmt(t.shape)}, but the model expects ${fmt(spec.shape)}`);
}

/** Checks names and types against the signature and conforms shapes; never copies data. */
export function conformInputs(inputs: NamedTensors, signature: Signature): NamedTensors {
  const out: NamedTensors = {};
  for (const spec of signature.inputs) {
    const t = inputs[spec.name];
    if (!t) throw invalidArgument(`missing input "${spec.name}"; the model's inputs are ${signature.inputs.map((s) => `"${s.name}"`).join(', ')}`);
    if (t.dtype !== spec.dtype) throw invalidArgument(`input "${spec.name}" has type ${t.dtype}, but the model expects ${spec.dtype}`);
    out[spec.name] = conformShape(spec.name, t, spec);
  }
  // Every input the model has was found above, so a name left over is one it does not have.
  // Counted rather than looked up name by name: 32 inputs would be 1,024 comparisons a request.
  let given = 0;
  for (const _ in inputs) given++;
  if (given !== signature.inputs.length) {
    const unknown = Object.keys(inputs).find((name) => !(name in out))!;
    throw invalidArgument(`unknown input "${unknown}"; the model's inputs are ${signature.inputs.map((s) => `"${s.name}"`).join(', ')}`);
  }
  return out;
}

/** Checks requested output names; undefined means every output. */
export function checkOutputs(requested: readonly string[] | undefined, signature: Signature): void {
  for (const name of requested ?? []) {
    if (!signature.outputs.some((s) => s.name === name)) {
      throw invalidArgument(`unknown output "${name}"; the model's outputs are ${signature.outputs.map((s) => `"${s.name}"`).join(', ')}`);
    }
  }
}
