import type { Logger } from 'pino';
import type { NamedTensors } from '../tensor/tensor.js';

export type Protocol = 'tfserving' | 'v2' | 'legacy' | 'grpc';

export interface HookContext {
  model: string;
  version: number;
  protocol: Protocol;
  requestId: string;
  log: Logger;
}

/** What reaches the model: records (legacy /get_score) or named tensors (TF Serving, v2). */
export type ModelInput =
  | { kind: 'records'; records: Record<string, unknown>[] }
  | { kind: 'tensors'; tensors: NamedTensors };

/**
 * An app's business logic around the model (apps/<name>/hooks.ts): enrich records with
 * looked-up features, check business rules, reshape scores. Throw a ServingError to refuse
 * a request with a clear status and message.
 */
export interface Hooks {
  preprocess?(input: ModelInput, ctx: HookContext): ModelInput | Promise<ModelInput>;
  postprocess?(outputs: NamedTensors, ctx: HookContext): NamedTensors | Promise<NamedTensors>;
}
