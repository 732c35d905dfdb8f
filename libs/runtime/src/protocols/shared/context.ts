import { backendDescriptor } from '../../backends/registry.js';
import type { DataPlane } from '../../dataplane/data-plane.js';

/** What every protocol's adapter is built from: the one data plane, and the transport's limits. */
export interface ProtocolContext {
  dataPlane: DataPlane;
  /** Largest request body, as written in BODY_LIMIT ("10mb"), for error messages. */
  bodyLimit: string;
  serverVersion: string;
}

/** The v2 metadata's `platform` of a backend kind, from its descriptor. */
export const platformOf = (kind: string): string => backendDescriptor(kind).platform;
