/** modelyard's local Nx plugin: inferred targets for every model app (generators: generators.json). */
export { createNodesV2 } from './nodes/create-nodes';
