import { defineConfig } from 'vitest/config';

// The shared smoke test, run by every model app's `test` target with MODELYARD_APP=<app>.
// Kept out of the workspace's own include pattern (*.test.ts), so it runs only per app.
// Run from the workspace root (Nx does), which is vitest's root.
export default defineConfig({
  resolve: { conditions: ['development'] },
  test: {
    include: ['tools/plugin/src/smoke/model.smoke.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
