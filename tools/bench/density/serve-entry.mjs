// What the density benchmark starts, as a built app runs (plain Node, the runtime's compiled
// dist): a yard, or with MODEL=<name> one model's own app. Environment as for any app.
import process from 'node:process';
import { serve } from '@modelyard/runtime';

const model = process.env['MODEL'];
await (model ? serve({ model }) : serve({ yard: {} }));
