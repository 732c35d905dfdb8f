import type { RequestHandler } from 'express';
import type { ModelSet } from '../../inference/served-model.js';
import type { Metrics } from '../../server/metrics.js';

/** What every protocol's routes are built from. */
export interface ProtocolContext {
  models: ModelSet;
  metrics: Metrics;
  /** Ready to take traffic: every model has a version loaded and no shutdown has begun. */
  isReady(): boolean;
  bodyLimit: string;
  serverVersion: string;
}

/** `await`-friendly Express 5 handler type. */
export type AsyncHandler = RequestHandler;

export const PLATFORMS = { onnx: 'onnxruntime_onnx', tfjs: 'tensorflowjs', tfserving: 'tensorflow_savedmodel' } as const;
