import type { VersionStatus } from '../../repository/model-repository.js';

/** GetModelStatusResponse as proto3 JSON: newest first, int64 as strings, enums by name. */
export function encodeModelStatus(versions: readonly VersionStatus[]): string {
  return JSON.stringify({
    model_version_status: [...versions]
      .sort((a, b) => b.version - a.version)
      .map((v) => ({
        version: String(v.version),
        state: v.state,
        status: v.error ? { error_code: 'UNKNOWN', error_message: v.error } : { error_code: 'OK', error_message: '' },
      })),
  });
}
