import { defineConfig } from 'vitest/config';

// One config for the whole workspace; each project's `test` target runs
// `vitest run <projectRoot>` so that Nx can still test only what a change affected.
export default defineConfig({
  resolve: { conditions: ['development'] },
  test: {
    include: ['**/*.test.ts'],
    // *.browser.test.ts need chromium: they run under `npm run test:browser` (vitest.browser.config.ts).
    exclude: ['**/node_modules/**', '**/dist/**', 'tmp/**', '**/*.browser.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
