import type { ModelConfig } from '../config/schema.js';
import type { Backend, BackendLoadOptions } from './backend.js';

export type BackendLoader = (options: BackendLoadOptions, config: ModelConfig) => Promise<Backend>;

/**
 * Each backend is imported when a model first needs it, so an app loads only its own
 * (onnxruntime and tfjs are large), and an image can leave the others out.
 */
const loaders: Record<ModelConfig['backend'], () => Promise<BackendLoader>> = {
  onnx: async () => (await import('./onnx/onnx-backend.js')).loadOnnxBackend,
  tfjs: async () => (await import('./tfjs/tfjs-backend.js')).loadTfjsBackend,
  tfserving: async () => (await import('./tfserving/tfserving-backend.js')).loadTfServingBackend,
};
const registered: Partial<Record<ModelConfig['backend'], BackendLoader>> = {};

/** Replaces a backend with another implementation (a plugin, or a test). */
export function registerBackend(kind: ModelConfig['backend'], loader: BackendLoader): void {
  registered[kind] = loader;
}

export async function loadBackend(options: BackendLoadOptions, config: ModelConfig): Promise<Backend> {
  const loader = registered[config.backend] ?? (await loaders[config.backend]());
  return loader(options, config);
}
