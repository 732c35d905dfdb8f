/**
 * The entry Nx loads for the workspace's plugin (nx.json "plugins"). Nx would compile a .ts
 * plugin itself through @swc-node/register, whose start loads the whole TypeScript compiler
 * (~0.4 s of every cold nx command at 1000 models, docs/scale.md). tsx compiles with esbuild
 * and keeps a transform cache, so the plugin loads in ~40 ms. The hook is removed once the
 * plugin is loaded: nothing else Nx requires goes through it.
 */
const { register } = require('tsx/cjs/api');

const unregister = register();
try {
  module.exports = require('./src/index.ts');
} finally {
  unregister();
}
