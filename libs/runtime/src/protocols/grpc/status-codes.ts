import * as grpc from '@grpc/grpc-js';
import { ServingError, type StatusCode } from '../../errors.js';

/** Our status codes are gRPC's names; this is the numeric mapping both ways. */
export const GRPC_STATUS: Record<StatusCode, grpc.status> = {
  INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
  FAILED_PRECONDITION: grpc.status.FAILED_PRECONDITION,
  OUT_OF_RANGE: grpc.status.OUT_OF_RANGE,
  NOT_FOUND: grpc.status.NOT_FOUND,
  ALREADY_EXISTS: grpc.status.ALREADY_EXISTS,
  ABORTED: grpc.status.ABORTED,
  PERMISSION_DENIED: grpc.status.PERMISSION_DENIED,
  UNAUTHENTICATED: grpc.status.UNAUTHENTICATED,
  RESOURCE_EXHAUSTED: grpc.status.RESOURCE_EXHAUSTED,
  CANCELLED: grpc.status.CANCELLED,
  UNIMPLEMENTED: grpc.status.UNIMPLEMENTED,
  UNAVAILABLE: grpc.status.UNAVAILABLE,
  DEADLINE_EXCEEDED: grpc.status.DEADLINE_EXCEEDED,
  INTERNAL: grpc.status.INTERNAL,
  UNKNOWN: grpc.status.UNKNOWN,
};

const BY_NUMBER = new Map(Object.entries(GRPC_STATUS).map(([name, n]) => [n, name as StatusCode]));

export function toGrpcError(err: unknown): Partial<grpc.ServiceError> {
  if (err instanceof ServingError) return { code: GRPC_STATUS[err.code], details: err.message };
  return { code: grpc.status.INTERNAL, details: 'internal error' };
}

export function fromGrpcError(err: grpc.ServiceError, what: string): ServingError {
  return new ServingError(BY_NUMBER.get(err.code) ?? 'UNKNOWN', `${what}: ${err.details || err.message}`);
}
