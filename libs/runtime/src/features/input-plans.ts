import type { InputConfig } from '../config/schema.js';
import type { Signature } from '../tensor/tensor.js';

/** Every empty input config is this one, so that a caller's fresh `[]` per request finds the plan made for the last. */
export const NO_INPUTS: readonly InputConfig[] = Object.freeze([]);

/**
 * `make` run once per (signature, input config) and its result kept as long as both are: weak
 * on both keys, so a reloaded config or an unloaded version takes its plans with it. An
 * undefined result (a model a reader does not take) is kept too, and not worked out again.
 */
export function perSignatureAndInputs<T>(make: (signature: Signature, inputs: readonly InputConfig[]) => T): (signature: Signature, inputs: readonly InputConfig[]) => T {
  const made = new WeakMap<Signature, WeakMap<readonly InputConfig[], { value: T }>>();
  return (signature, inputs) => {
    const key = inputs.length === 0 ? NO_INPUTS : inputs;
    let bySignature = made.get(signature);
    if (!bySignature) made.set(signature, (bySignature = new WeakMap()));
    let entry = bySignature.get(key);
    if (!entry) bySignature.set(key, (entry = { value: make(signature, key) }));
    return entry.value;
  };
}
