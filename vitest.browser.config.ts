import { defineConfig } from 'vitest/config';

// Tests that drive a real browser (Debian's chromium through playwright-core). Not part of
// `npm test`, which must pass with Node and npm alone (vitest.config.ts excludes them):
// run with `npm run test:browser`. Standalone rather than merged, because merging would
// keep the main config's exclusion of these very files.
export default defineConfig({
  resolve: { conditions: ['development'] },
  test: {
    include: ['**/*.browser.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', 'tmp/**'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
