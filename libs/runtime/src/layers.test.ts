/**
 * The layer rule in eslint.config.js, run by ESLint itself: an upward import fails the
 * lint, a downward one passes, and the runtime as it stands has no upward import.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const WORKSPACE = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
// Only the layer rule runs: this is about imports, and a loaded machine makes full lints slow.
const eslint = new ESLint({ cwd: WORKSPACE, ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports' });

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(WORKSPACE, 'libs/runtime/src', file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('one-way layers (protocols → dataplane → repository → backends)', () => {
  it.each([
    ['repository/fixture.ts', "import type { ModelServer } from '../server/model-server.js';\nexport type X = ModelServer;\n"],
    ['repository/fixture.ts', "import type { DataPlane } from '../dataplane/data-plane.js';\nexport type X = DataPlane;\n"],
    ['dataplane/fixture.ts', "import { tfServingRoutes } from '../protocols/tfserving/routes.js';\nexport const x = tfServingRoutes;\n"],
    ['inference/fixture.ts', "import { createApp } from '../server/create-app.js';\nexport const x = createApp;\n"],
    ['protocols/v2/fixture.ts', "import { createDispatcher } from '../../server/dispatch.js';\nexport const x = createDispatcher;\n"],
    ['backends/onnx/fixture.ts', "import { ModelRepository } from '../../repository/model-repository.js';\nexport const x = ModelRepository;\n"],
    ['backends/tfserving/fixture.ts', "import { tfServingPredict } from '../../protocols/tfserving/predict-endpoint.js';\nexport const x = tfServingPredict;\n"],
    ['features/fixture.ts', "import { Servable } from '../repository/servable.js';\nexport const x = Servable;\n"],
  ])('%s: an upward import fails the lint', { timeout: 60_000 }, async (file, code) => {
    const errors = await layerErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/layers point one way/);
  });

  it.each([
    ['protocols/v2/fixture.ts', "import { DataPlane } from '../../dataplane/data-plane.js';\nexport const x = DataPlane;\n"],
    ['dataplane/fixture.ts', "import { Servable } from '../repository/servable.js';\nexport const x = Servable;\n"],
    ['repository/fixture.ts', "import { loadBackend } from '../backends/load-backend.js';\nexport const x = loadBackend;\n"],
    ['backends/tfserving/fixture.ts', "import { parseTfServingBody } from '../../protocols/tfserving/json-parse.js';\nexport const x = parseTfServingBody;\n"],
    ['server/fixture.ts', "import { DataPlane } from '../dataplane/data-plane.js';\nexport const x = DataPlane;\n"],
  ])('%s: a downward import passes', async (file, code) => {
    expect(await layerErrors(file, code)).toEqual([]);
  });

  it('the runtime has no upward import today', { timeout: 180_000 }, async () => {
    const results = await eslint.lintFiles(['libs/runtime/src/**/*.ts']);
    const upward = results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => `${r.filePath}:${m.line} ${m.message}`));
    expect(upward).toEqual([]);
    expect(results.length).toBeGreaterThan(50);
  }); // linting the whole runtime takes seconds alone, far more on a loaded machine
});
