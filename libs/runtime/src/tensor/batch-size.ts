import { invalidArgument } from '../errors.js';
import type { NamedTensors, Signature } from './tensor.js';

/**
 * Every input whose first dimension is the batch (declared -1) must carry the same number
 * of rows. onnxruntime does not check it: a Concat of a [0, 1] tensor with [1, 1] tensors
 * silently drops the empty one and shifts the features, giving a confident wrong answer.
 */
function batchOf(inputs: NamedTensors, spec: Signature['inputs'][number]): number | undefined {
  const t = inputs[spec.name];
  return !t || !spec.shape || spec.shape[0] !== -1 || t.shape.length === 0 ? undefined : t.shape[0];
}

export function checkBatchSize(inputs: NamedTensors, signature: Signature): void {
  let rows: number | undefined;
  let same = true;
  for (const spec of signature.inputs) {
    const n = batchOf(inputs, spec);
    if (n === undefined) continue;
    if (rows === undefined) rows = n;
    else if (n !== rows) same = false;
  }
  if (same) return;
  // Only a refused request pays for the list.
  const sizes: [string, number][] = [];
  for (const spec of signature.inputs) {
    const n = batchOf(inputs, spec);
    if (n !== undefined) sizes.push([spec.name, n]);
  }
  const listed = sizes.map(([name, n]) => `"${name}" has ${n}`).join(', ');
  throw invalidArgument(`the inputs of one request must have the same batch size (first dimension): ${listed}`);
}
