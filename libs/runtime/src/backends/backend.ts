import type { Logger } from 'pino';
import type { NamedTensors, Signature } from '../tensor/tensor.js';

/**
 * One loaded model version. Knows nothing about HTTP: named tensors in, named tensors out.
 * Implementations: onnx (in process, worker threads), tfjs (in process), tfserving and v2
 * (remote, through backends/remote/); each registered by its descriptor (registry.ts).
 */
export interface Backend {
  readonly signature: Signature;
  /** Runs the model. `outputs` restricts which outputs are computed and returned. */
  run(inputs: NamedTensors, outputs?: readonly string[]): Promise<NamedTensors>;
  /** Whether the backend can serve right now (a remote backend may lose its peer); cached, cheap. */
  ready?(): boolean;
  /** What the status page shows about the backend's moving parts (worker pool, graph service); cheap. */
  describe?(): BackendDetails;
  /** When not ready: why, in words for the status API and the 503 a caller gets. */
  unavailableReason?(): string | undefined;
  /** Releases sessions, threads and connections. Called once, after in-flight runs finish. */
  close(): Promise<void>;
}

export interface BackendLoadOptions {
  /** The version folder holding the artifacts, e.g. models/penguins/2. */
  versionDir: string;
  modelName: string;
  version: number;
  /** The version's logger, for what happens after the load (a worker thread dying). */
  logger?: Logger;
  /** Counts such happenings: `kind` is a short label ("exited", "replaced", ...). */
  onWorkerEvent?(kind: string): void;
}

export interface BackendDetails {
  /** In process, on the serving loop itself (onnx.execution inline). */
  inline?: boolean;
  /** Run by modelyard's own ONNX interpreter instead of onnxruntime (onnx.execution interpreter). */
  engine?: 'interpreter';
  /** In-process worker threads: how many exist and how many have a run in flight. */
  workers?: { size: number; busy: number; inFlight: number };
  /** A remote graph service: its model status as last seen, and the circuit breaker. */
  graphService?: { address: string; available: boolean; breaker: 'closed' | 'open' | 'half-open' };
}
