import { defineConfig } from 'vitest/config';

// One config for the whole workspace; each project's `test` target runs
// `vitest run <projectRoot>` so that Nx can still test only what a change affected.
// Tests that need more than Node and npm (a container engine, groovy, docker-compose,
// docker-registry) are named *.infra.test.ts and run with `npm run test:infra`
// (vitest.infra.config.ts), which first checks that those tools are there.
export default defineConfig({
  resolve: { conditions: ['development'] },
  test: {
    include: ['**/*.test.ts'],
    // *.browser.test.ts need chromium: they run under `npm run test:browser` (vitest.browser.config.ts).
    exclude: ['**/node_modules/**', '**/dist/**', 'tmp/**', '**/*.browser.test.ts', '**/*.infra.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
