/**
 * What the density benchmark starts: a yard (YARD=1) or one model's own app (MODEL=<name>),
 * through the runtime's serve() as apps do. Environment as for any app (PORT, MODELS_DIR, ...).
 */
import { serve } from '@modelyard/runtime';

const model = process.env['MODEL'];
await (model ? serve({ model }) : serve({ yard: {} }));
