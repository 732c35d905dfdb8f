/**
 * @modelyard/runtime: what an app needs to serve a model. Apps call `serve`; tests build a
 * `createModelServer` and drive its Express app.
 */
export { serve, type ServeOptions, type RunningServer } from './server/serve.js';
export { createModelServer, type ModelServer, type ModelServerOptions } from './server/model-server.js';
export { createLogger } from './server/logger.js';
export { hooksFromDir } from './yard/hooks-dir.js';
export type { Hooks, HookContext, ModelInput, Protocol } from './inference/hooks.js';
export { ServingError, invalidArgument, notFound, unavailable, type StatusCode } from './errors.js';
export type { Tensor, NamedTensors, DType, Signature, TensorSpec } from './tensor/tensor.js';
export type { ModelConfig } from './config/schema.js';
export { ConfigError } from './config/load-config.js';
export { loadModelConfig, parseModelConfig } from './backends/model-config.js';
export type { Backend, BackendLoadOptions } from './backends/backend.js';
export type { BackendDescriptor, BackendLoadContext } from './backends/descriptor.js';
export { defineBackend } from './backends/descriptor.js';
export { registerBackend, backendKinds, modelConfigSchema } from './backends/registry.js';
export { RetryLoadError } from './backends/load-error.js';
export { replay, parseRecording, type ReplayReport, type ReplayOptions, type ReplaySide } from './inference/replay.js';
export type { RecordedRequest } from './dataplane/recorder.js';
export { gateOf, type GateConfig } from './config/schema.js';
