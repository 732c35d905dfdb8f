import { allocate, type NamedTensors, type Signature } from '../tensor/tensor.js';

/**
 * One synthetic row per input (zeros, empty strings), so the first real request does not
 * pay for lazy allocations, and a graph that cannot run at all never gets served.
 */
export function warmupInputs(signature: Signature): NamedTensors {
  const inputs: NamedTensors = {};
  for (const spec of signature.inputs) {
    const shape = spec.shape ? spec.shape.map((d) => (d < 0 ? 1 : d)) : [1];
    const length = shape.reduce((a, b) => a * b, 1);
    inputs[spec.name] = { dtype: spec.dtype, shape, data: allocate(spec.dtype, length) };
  }
  return inputs;
}
