import type { ModelConfig } from '../config/schema.js';
import type { Backend, BackendLoadOptions } from './backend.js';
import { loadOnnxBackend } from './onnx/onnx-backend.js';
import { loadTfjsBackend } from './tfjs/tfjs-backend.js';
import { loadTfServingBackend } from './tfserving/tfserving-backend.js';

export type BackendLoader = (options: BackendLoadOptions, config: ModelConfig) => Promise<Backend>;

const loaders: Partial<Record<ModelConfig['backend'], BackendLoader>> = {
  onnx: loadOnnxBackend,
  tfserving: loadTfServingBackend,
  tfjs: loadTfjsBackend,
};

/** Lets a backend that lives in its own module (tfjs, tfserving) plug itself in. */
export function registerBackend(kind: ModelConfig['backend'], loader: BackendLoader): void {
  loaders[kind] = loader;
}

export function loadBackend(options: BackendLoadOptions, config: ModelConfig): Promise<Backend> {
  const loader = loaders[config.backend];
  if (!loader) return Promise.reject(new Error(`backend "${config.backend}" is not available in this build`));
  return loader(options, config);
}
