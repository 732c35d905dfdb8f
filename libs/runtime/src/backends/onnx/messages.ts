import type { NamedTensors, Signature } from '../../tensor/tensor.js';

/** What the pool and its session workers say to each other. */
export interface WorkerInit {
  modelPath: string;
  intraOpThreads: number;
}

export type WorkerRequest = { id: number; inputs: NamedTensors; outputs?: readonly string[] };

export type WorkerReply =
  | { kind: 'ready'; signature: Signature }
  | { kind: 'load-failed'; error: string }
  | { kind: 'result'; id: number; outputs: NamedTensors }
  | { kind: 'failed'; id: number; error: string };
