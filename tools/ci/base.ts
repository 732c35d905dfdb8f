/** Prints the base commit for `nx affected` (see base-commit.ts):  npx tsx tools/ci/base.ts */
import { resolveBase } from './base-commit.js';
import { readCiEnv } from './ci-env.js';

const base = resolveBase(process.cwd(), readCiEnv().branch);
console.error(`base: ${base.reason}`);
console.log(base.sha);
