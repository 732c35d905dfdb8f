import { invalidArgument } from '../errors.js';
import { elementCount, type NamedTensors, type Signature, type Tensor, type TensorSpec } from '../tensor/tensor.js';

const fmt = (shape: readonly number[] | null) => (shape ? `[${shape.join(', ')}]` : 'any shape');

/** Whether a tensor's shape is one the declared shape allows (-1: any size). */
export function shapeFits(shape: readonly number[], spec: readonly number[]): boolean {
  return shape.length === spec.length && spec.every((d, i) => d === -1 || d === shape[i]);
}

/**
 * Protocols read shapes off the JSON (TF Serving never checks them against the signature),
 * so a column sent as [1, 2, 3] must still reach an input declared [-1, 1]. When the rank
 * differs but the batch and the element count agree, the tensor is reshaped — a view, not
 * a copy; anything else is the caller's error, named.
 */
function conformShape(name: string, t: Tensor, spec: TensorSpec): Tensor {
  if (!spec.shape || shapeFits(t.shape, spec.shape)) return t;
  const fixed = spec.shape.slice(1);
  if (t.shape.length >= 1 && fixed.every((d) => d >= 0)) {
    const candidate = [t.shape[0]!, ...fixed];
    if (elementCount(candidate) === t.data.length && shapeFits(candidate, spec.shape)) return { ...t, shape: candidate };
  }
  throw invalidArgument(`input "${name}" has shape ${fmt(t.shape)}, but the model expects ${fmt(spec.shape)}`);
}

/**
 * Checks names and types against the signature and conforms shapes; never copies data.
 * The caller's own object comes back when every shape already fits (the usual case): a
 * new 32-key object a request was garbage the hot path paid for in scavenges.
 */
export function conformInputs(inputs: NamedTensors, signature: Signature): NamedTensors {
  let reshaped: NamedTensors | undefined;
  const specs = signature.inputs;
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    const t = inputs[spec.name];
    if (!t) throw invalidArgument(`missing input "${spec.name}"; the model's inputs are ${specs.map((s) => `"${s.name}"`).join(', ')}`);
    if (t.dtype !== spec.dtype) throw invalidArgument(`input "${spec.name}" has type ${t.dtype}, but the model expects ${spec.dtype}`);
    const conformed = conformShape(spec.name, t, spec);
    if (conformed !== t) (reshaped ??= { ...inputs })[spec.name] = conformed;
  }
  // Every input the model has was found above, so a name left over is one it does not have.
  // Counted rather than looked up name by name: 32 inputs would be 1,024 comparisons a request.
  let given = 0;
  for (const _ in inputs) given++;
  if (given !== specs.length) {
    const unknown = Object.keys(inputs).find((name) => !specs.some((s) => s.name === name))!;
    throw invalidArgument(`unknown input "${unknown}"; the model's inputs are ${specs.map((s) => `"${s.name}"`).join(', ')}`);
  }
  return reshaped ?? inputs;
}

/** Checks requested output names; undefined means every output. */
export function checkOutputs(requested: readonly string[] | undefined, signature: Signature): void {
  for (const name of requested ?? []) {
    if (!signature.outputs.some((s) => s.name === name)) {
      throw invalidArgument(`unknown output "${name}"; the model's outputs are ${signature.outputs.map((s) => `"${s.name}"`).join(', ')}`);
    }
  }
}
