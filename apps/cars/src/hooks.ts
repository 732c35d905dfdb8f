import type { Hooks } from '@modelyard/runtime';

/**
 * Business logic around the cars model: enrich records before the model sees them
 * (preprocess), or reshape its outputs (postprocess). Empty: the model is served as is.
 */
export const hooks: Hooks = {};
