import { invalidArgument } from '../errors.js';
import type { NamedTensors, Signature } from './tensor.js';

/**
 * Every input whose first dimension is the batch (declared -1) must carry the same number
 * of rows. onnxruntime does not check it: a Concat of a [0, 1] tensor with [1, 1] tensors
 * silently drops the empty one and shifts the features, giving a confident wrong answer.
 */
export function checkBatchSize(inputs: NamedTensors, signature: Signature): void {
  const sizes: [string, number][] = [];
  for (const spec of signature.inputs) {
    const t = inputs[spec.name];
    if (!t || !spec.shape || spec.shape[0] !== -1 || t.shape.length === 0) continue;
    sizes.push([spec.name, t.shape[0]!]);
  }
  if (sizes.every(([, n]) => n === sizes[0]![1])) return;
  const listed = sizes.map(([name, n]) => `"${name}" has ${n}`).join(', ');
  throw invalidArgument(`the inputs of one request must have the same batch size (first dimension): ${listed}`);
}
