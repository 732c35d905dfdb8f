import type { NamedTensors } from '../tensor/tensor.js';

/**
 * Requests can share a batch when every input has the same type and per-row shape, and
 * they ask for the same outputs. Compared in place: this runs for every request batched,
 * and a key string built from 32 inputs cost more than the batching saved.
 */
export function sameBatchLayout(a: NamedTensors, aOutputs: readonly string[] | undefined, b: NamedTensors, bOutputs: readonly string[] | undefined): boolean {
  if (aOutputs !== bOutputs) {
    if (!aOutputs || !bOutputs || aOutputs.length !== bOutputs.length) return false;
    for (const name of aOutputs) if (!bOutputs.includes(name)) return false;
  }
  for (const name in a) {
    const x = a[name]!;
    const y = b[name];
    if (!y || x.dtype !== y.dtype || x.shape.length !== y.shape.length) return false;
    for (let d = 1; d < x.shape.length; d++) if (x.shape[d] !== y.shape[d]) return false;
  }
  for (const name in b) if (!(name in a)) return false;
  return true;
}

