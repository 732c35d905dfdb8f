import { serve } from '@modelyard/runtime';
import { hooks } from './hooks.js';

// HOST, PORT (8080) and MODELS_DIR (/models) come from the environment.
await serve({ model: 'cars', hooks });
