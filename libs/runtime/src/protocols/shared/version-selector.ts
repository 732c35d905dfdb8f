import { invalidArgument } from '../../errors.js';
import type { VersionSelector } from '../../repository/model-repository.js';

/** A URL's version segment: digits name a version, anything else a label ("stable"). */
export function versionSelector(segment: string | undefined): VersionSelector {
  if (segment === undefined) return {};
  if (/^\d+$/.test(segment)) {
    const version = Number(segment);
    if (!Number.isSafeInteger(version) || version <= 0) throw invalidArgument(`version "${segment}" is not a positive integer`);
    return { version };
  }
  return { label: segment };
}
