import type { NamedTensors, Signature } from '../../tensor/tensor.js';

/**
 * What the process-wide pool and its worker threads say to each other. A worker hosts many
 * sessions, each under the key the pool gave the model version when it was registered.
 */
export type WorkerRequest =
  | { kind: 'load'; key: number; modelPath: string; intraOpThreads: number }
  | { kind: 'unload'; key: number }
  | { kind: 'run'; id: number; key: number; inputs: NamedTensors; outputs?: readonly string[] }
  /** Which sessions the worker holds: for the status page and the tests that check unloads. */
  | { kind: 'sessions' }
  | { kind: 'close' };

export type WorkerReply =
  /** The thread is up (onnxruntime's native library loaded) and takes requests. */
  | { kind: 'up' }
  | { kind: 'loaded'; key: number; signature: Signature }
  | { kind: 'load-failed'; key: number; error: string }
  | { kind: 'unloaded'; key: number }
  | { kind: 'result'; id: number; outputs: NamedTensors }
  /** `missing`: the worker holds no session under that key (never the caller's fault). */
  | { kind: 'failed'; id: number; error: string; missing?: boolean }
  | { kind: 'sessions'; keys: number[] };
