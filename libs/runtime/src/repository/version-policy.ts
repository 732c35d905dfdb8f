import type { VersionPolicy } from '../config/schema.js';

/** Which of the candidate versions should be served, as TF Serving's ServableVersionPolicy. */
export function selectVersions(policy: VersionPolicy, candidates: readonly number[]): number[] {
  const sorted = [...candidates].sort((a, b) => b - a);
  if ('latest' in policy) return sorted.slice(0, policy.latest.numVersions);
  if ('all' in policy) return sorted;
  return sorted.filter((v) => policy.specific.versions.includes(v));
}
