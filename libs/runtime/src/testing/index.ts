/** Test helpers for apps and tools: `import { ... } from '@modelyard/runtime/testing'`. */
export { freePort, startAppProcess, type AppProcess } from './app-process.js';
export { WORKSPACE_MODELS, copyModel, PENGUIN_INPUTS, PENGUIN_STRING_INPUTS, loadReference, maxAbsDiff, syntheticPenguins, penguinLabelsByOnnx, type Reference } from './fixtures.js';
export { exampleInferRequest, type V2Metadata } from './example-request.js';
export { seededRandom } from './seeded-random.js';
export { LARGE_BODY_APIS, measureLargeBodies, warmUp, type LargeBodyFigures } from './large-bodies.js';
export { makeYardModels, referenceRows, type YardModelCopy } from './yard-models.js';
