import { defineConfig } from 'vitest/config';

// `npm run test:infra`: the tests that build and run images, push to a registry, bring the
// compose stack up, validate compose files and evaluate the Jenkinsfiles. The preflight
// fails at once, naming every missing tool and how to install it. One file at a time:
// they share one container engine and build the same images.
export default defineConfig({
  resolve: { conditions: ['development'] },
  test: {
    include: ['**/*.infra.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', 'tmp/**'],
    globalSetup: ['tools/ci/infra-preflight.ts'],
    pool: 'forks',
    fileParallelism: false,
    // groovy takes 10-30 s per evaluation on a loaded 2-core machine; image builds take minutes.
    testTimeout: 300_000,
    hookTimeout: 600_000,
  },
});
