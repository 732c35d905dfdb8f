import { buildModelConfigSchema, type ModelConfigSchema } from '../config/schema.js';
import type { BackendDescriptor } from './descriptor.js';
import { onnxBackend } from './onnx/descriptor.js';
import { tfjsBackend } from './tfjs/descriptor.js';
import { tfservingBackend } from './tfserving/descriptor.js';
import { v2Backend } from './v2/descriptor.js';

/**
 * The backends this process knows. Every list of backends is read from here: model.json's
 * schema, the v2 metadata's platform, the loader. Adding a backend is one folder with its
 * descriptor plus one registerBackend line (below for built-ins, in the app for others).
 */
const descriptors = new Map<string, BackendDescriptor<never>>();
let schema: ModelConfigSchema | undefined;

/** Adds a kind of backend, or replaces one of the same kind (a plugin, or a test). */
export function registerBackend<Options>(descriptor: BackendDescriptor<Options>): void {
  if (!/^[a-z][a-z0-9-]*$/.test(descriptor.kind)) throw new Error(`backend kind "${descriptor.kind}" must be lower-case letters, digits and "-"`);
  descriptors.set(descriptor.kind, descriptor as unknown as BackendDescriptor<never>);
  schema = undefined;
}

registerBackend(onnxBackend);
registerBackend(tfjsBackend);
registerBackend(tfservingBackend);
registerBackend(v2Backend);

export function backendDescriptor(kind: string): BackendDescriptor<unknown> {
  const found = descriptors.get(kind);
  if (!found) throw new Error(`no backend "${kind}" is registered (registered: ${backendKinds().join(', ')})`);
  return found as BackendDescriptor<unknown>;
}

export const backendKinds = (): string[] => [...descriptors.keys()];

/** model.json's schema for the backends registered now (rebuilt after a registration). */
export function modelConfigSchema(): ModelConfigSchema {
  schema ??= buildModelConfigSchema([...descriptors.values()]);
  return schema;
}
