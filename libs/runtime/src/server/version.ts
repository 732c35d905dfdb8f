/** Reported by GET /v2; bumped with the runtime's package version. */
export const RUNTIME_VERSION = '0.1.0';
