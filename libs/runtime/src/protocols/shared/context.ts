import type { DataPlane } from '../../dataplane/data-plane.js';

/** What every protocol's adapter is built from: the one data plane, and the transport's limits. */
export interface ProtocolContext {
  dataPlane: DataPlane;
  /** Largest request body, as written in BODY_LIMIT ("10mb"), for error messages. */
  bodyLimit: string;
  serverVersion: string;
}

export const PLATFORMS = { onnx: 'onnxruntime_onnx', tfjs: 'tensorflowjs', tfserving: 'tensorflow_savedmodel' } as const;
