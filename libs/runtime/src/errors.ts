/**
 * Errors that reach a client. The codes are gRPC/TF Serving status codes, so every
 * protocol can map them the same way (TF Serving's http_server.cc table).
 */
export type StatusCode =
  | 'INVALID_ARGUMENT'
  | 'FAILED_PRECONDITION'
  | 'OUT_OF_RANGE'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'ABORTED'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'RESOURCE_EXHAUSTED'
  | 'CANCELLED'
  | 'UNIMPLEMENTED'
  | 'UNAVAILABLE'
  | 'DEADLINE_EXCEEDED'
  | 'INTERNAL'
  | 'UNKNOWN';

const HTTP_STATUS: Record<StatusCode, number> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  OUT_OF_RANGE: 400,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  ABORTED: 409,
  PERMISSION_DENIED: 403,
  UNAUTHENTICATED: 401,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  UNIMPLEMENTED: 501,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  INTERNAL: 500,
  UNKNOWN: 500,
};

export class ServingError extends Error {
  readonly code: StatusCode;

  constructor(code: StatusCode, message: string) {
    super(message);
    this.name = 'ServingError';
    this.code = code;
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }
}

export const invalidArgument = (message: string) => new ServingError('INVALID_ARGUMENT', message);
export const notFound = (message: string) => new ServingError('NOT_FOUND', message);
export const unavailable = (message: string) => new ServingError('UNAVAILABLE', message);

/*
 * Typed errors. The repository and the data plane throw these with neutral words; each
 * protocol decides what its callers read (TF Serving's exact texts on /v1 and gRPC, plain
 * sentences on v2 and /get_score), so no protocol's wording leaks into another's.
 */

/** What the caller asked for, so a protocol can echo it in its own grammar. */
export interface Requested {
  version?: number;
  label?: string;
}

/** No model of that name is served by this app. */
export class ModelNotFound extends ServingError {
  constructor(
    readonly model: string,
    readonly requested: Requested = {},
  ) {
    super('NOT_FOUND', `model "${model}" is not served here`);
    this.name = 'ModelNotFound';
  }
}

/** The model exists, but that version (directly or through a label) is not loaded. */
export class VersionNotFound extends ServingError {
  constructor(
    readonly model: string,
    readonly version: number,
    readonly label?: string,
  ) {
    super(
      'NOT_FOUND',
      label === undefined
        ? `version ${version} of model "${model}" is not loaded`
        : `label "${label}" of model "${model}" points at version ${version}, which is not loaded`,
    );
    this.name = 'VersionNotFound';
  }
}

/** The model's config has no such label. */
export class LabelNotFound extends ServingError {
  constructor(
    readonly model: string,
    readonly label: string,
  ) {
    super('INVALID_ARGUMENT', `model "${model}" has no version label "${label}"`);
    this.name = 'LabelNotFound';
  }
}

/** The model exists but no version of it is AVAILABLE (loading, or every load failed): retry. */
export class NoVersionAvailable extends ServingError {
  constructor(
    readonly model: string,
    readonly requested: Requested = {},
  ) {
    super('UNAVAILABLE', `model "${model}" has no version available yet (still loading, or no version could be loaded); retry later`);
    this.name = 'NoVersionAvailable';
  }
}

/** Admission refused the request: too much already in flight for this model. */
export class Overloaded extends ServingError {
  constructor(
    readonly model: string,
    readonly limit: string,
    readonly retryAfterSeconds: number,
  ) {
    super('UNAVAILABLE', `model "${model}" is overloaded (${limit}); retry after ${retryAfterSeconds} s`);
    this.name = 'Overloaded';
  }
}

/** The request body itself cannot be taken: too large (413) or an unsupported encoding/charset (415). */
export class BodyRefused extends ServingError {
  constructor(
    readonly status: 413 | 415 | 400,
    message: string,
  ) {
    super(status === 413 ? 'RESOURCE_EXHAUSTED' : 'INVALID_ARGUMENT', message);
    this.name = 'BodyRefused';
  }

  override get httpStatus(): number {
    return this.status;
  }
}

/** The backend failed for a reason that is not the caller's (out of memory, a broken session). */
export class BackendFailure extends ServingError {
  constructor(
    message: string,
    readonly detail?: string,
  ) {
    super('INTERNAL', message);
    this.name = 'BackendFailure';
  }
}

/**
 * onnxruntime reports every run failure the same way, and the backends wrap them as "the
 * model refused the input". Most are the caller's (a shape or type the checks upstream did
 * not catch); these are not: memory, the execution provider, the engine itself.
 */
const NOT_THE_CALLERS_FAULT = /bad_alloc|out of memory|failed to allocate|cannot allocate|ENGINE_ERROR|EP_FAIL|NOT_IMPLEMENTED|MODEL_LOADED|NO_MODEL|session (?:is )?(?:not initialized|released|closed)/i;

/** One place decides whether a backend error is a 400 or a 5xx. */
export function classifyBackendError(err: unknown): unknown {
  if (err instanceof ServingError && err.code === 'INVALID_ARGUMENT' && NOT_THE_CALLERS_FAULT.test(err.message)) {
    return new BackendFailure('the model failed to run this request; the request id is in the x-request-id header and the server log', err.message);
  }
  return err;
}
