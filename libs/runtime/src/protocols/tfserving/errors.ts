import { LabelNotFound, ModelNotFound, NoVersionAvailable, VersionNotFound, type Requested } from '../../errors.js';
import { describeError, type ErrorDescription } from '../shared/errors.js';

/** TF Serving names what was asked for: Latest(model) or Specific(model, version). */
const servableRequest = (model: string, requested: Requested) =>
  requested.version !== undefined ? `Specific(${model}, ${requested.version})` : `Latest(${model})`;

/**
 * The data plane's typed errors in TF Serving's own words (tf-serving-rest.md §5), so its
 * clients read exactly what TF Serving would have said; the REST API and gRPC share this.
 */
export function tfServingError(err: unknown, bodyLimit: string): ErrorDescription {
  if (err instanceof ModelNotFound) return { status: 404, message: `Servable not found for request: ${servableRequest(err.model, err.requested)}` };
  if (err instanceof VersionNotFound) return { status: 404, message: `Servable not found for request: Specific(${err.model}, ${err.version})` };
  if (err instanceof LabelNotFound) return { status: 400, message: `Unrecognized servable version label: ${err.label}` };
  if (err instanceof NoVersionAvailable) {
    // TF Serving would 404 here; a 503 tells load balancers and clients to retry, and the
    // message keeps TF Serving's words first for clients that match on them.
    return { status: 503, message: `Servable not found for request: ${servableRequest(err.model, err.requested)}; no version of the model is available yet, retry later` };
  }
  return describeError(err, bodyLimit);
}

/** The status API's own texts for an unknown model. */
export function tfServingStatusError(err: unknown, bodyLimit: string): ErrorDescription {
  if (err instanceof ModelNotFound) return { status: 404, message: `Could not find any versions of model ${err.model}` };
  return tfServingError(err, bodyLimit);
}
