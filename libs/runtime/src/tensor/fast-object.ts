/**
 * A fresh object with the given keys, in order, each null until the caller fills it in, kept
 * in V8's fast mode. An object given more than a dozen properties by computed name
 * (`tensors[spec.name] = …`) from a hot, megamorphic store is turned into a hash table
 * ("dictionary mode"): each later read by name is then a hash lookup, and each for…in,
 * Object.keys or Object.values sorts the keys first (perf showed the sort at ~2 % of a
 * one-record request of 32 inputs). JSON.parse builds fast objects and a spread copies the
 * layout of its source, so a template made once per owner and spread per call stays fast.
 * (Integer-like keys come first, as in any object.)
 */
const templates = new WeakMap<readonly { name: string }[], object>();

/**
 * An object keyed by the names in `named` (a signature's inputs, a binary header's plan),
 * whose template is made on first use and kept as long as that list is: the list is read
 * once, so it must not change afterwards (signatures do not).
 */
export function fastObject<T>(named: readonly { name: string }[]): Record<string, T> {
  let template = templates.get(named);
  if (!template) {
    template = JSON.parse(JSON.stringify(Object.fromEntries(named.map((n) => [n.name, null])))) as object;
    templates.set(named, template);
  }
  return { ...template } as Record<string, T>;
}

/**
 * A fastObject filled by name from a request, returned as is when every key was filled (the
 * usual request names each input once); otherwise a plain object of the keys that were, so an
 * input the request left out stays absent and its error reads as it always has.
 */
export function dropUnfilled<T>(filled: Record<string, T | null>): Record<string, T> {
  for (const key in filled) {
    if (filled[key] !== null) continue;
    const given: Record<string, T> = {};
    for (const k in filled) if (filled[k] !== null) given[k] = filled[k]!;
    return given;
  }
  return filled as Record<string, T>;
}
