/**
 * vitest globalSetup of `npm run test:infra`: stop before any test starts when a tool is
 * missing, and say which one and how to get it. Nothing is skipped quietly.
 */
import { missingInfraTools } from './infra-tools.js';

export default function preflight(): void {
  const missing = missingInfraTools();
  if (missing.length > 0) {
    throw new Error(`npm run test:infra needs tools this machine does not have:\n${missing.join('\n')}\n(\`npm test\` needs only Node 20 and npm.)`);
  }
}
