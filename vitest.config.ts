import { defineConfig } from 'vitest/config';

// One config for the whole workspace; each project's `test` target runs
// `vitest run <projectRoot>` so that Nx can still test only what a change affected.
export default defineConfig({
  resolve: { conditions: ['development'] },
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', 'tmp/**'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
