import * as config from '../config/load-config.js';
import type { ModelConfig } from '../config/schema.js';
import { modelConfigSchema } from './registry.js';

/** model.json read against the backends registered now (the public API's forms). */
export const parseModelConfig = (file: string, text: string): ModelConfig => config.parseModelConfig(file, text, modelConfigSchema());
export const loadModelConfig = (modelDir: string, expectedName?: string): Promise<ModelConfig> => config.loadModelConfig(modelDir, modelConfigSchema(), expectedName);
