import type { TargetConfiguration } from '@nx/devkit';
import { imageRecipes, k8sSources, type AppInfo } from '../lib/app-info';

/** The shared smoke test and its vitest config: one file for every app. */
export const SMOKE_TEST = 'tools/plugin/src/smoke';

export const shell = (command: string, extra: Partial<TargetConfiguration> = {}): TargetConfiguration => ({ executor: 'nx:run-commands', options: { command }, ...extra });

/** build, typecheck and lint: the same for a model app and a yard (both are compiled apps under apps/). */
export function compiledAppTargets(app: string): Record<'build' | 'typecheck' | 'lint', TargetConfiguration> {
  return {
    build: shell(`tsx tools/plugin/src/build/compile-app.ts ${app}`, {
      dependsOn: ['^build'],
      inputs: ['production', '^production', '{workspaceRoot}/tools/plugin/src/build/**/*'],
      outputs: [`{projectRoot}/dist`],
      cache: true,
    }),
    typecheck: shell(`tsx tools/plugin/src/build/compile-app.ts ${app} --noEmit`, {
      inputs: ['default', '^production', '{workspaceRoot}/tools/plugin/src/build/**/*'],
      cache: true,
    }),
    lint: shell(`eslint apps/${app}`, { inputs: ['default', '{workspaceRoot}/eslint.config.js'], cache: true }),
  };
}

/**
 * Every target a model app has, written once. An app's project.json holds none of them;
 * a change here reaches every app (and `nx affected` picks them all, through the inputs).
 */
export function appTargets(info: AppInfo): Record<string, TargetConfiguration> {
  const root = `apps/${info.app}`;
  const recipes = imageRecipes(info).map((r) => `{workspaceRoot}/${r.recipe}`);
  return {
    serve: shell(`MODELS_DIR=\${MODELS_DIR:-models} PORT=\${PORT:-${info.devPort}} tsx --conditions=development ${root}/src/main.ts`, { continuous: true }),
    ...compiledAppTargets(info.app),
    // The app's own tests (if it has any), then the shared smoke test on its model's data.
    test: shell(`vitest run ${root}/ --passWithNoTests && MODELYARD_APP=${info.app} vitest run --config ${SMOKE_TEST}/vitest.config.mts`, {
      inputs: ['default', '^production', 'model', '{workspaceRoot}/vitest.config.ts', `{workspaceRoot}/${SMOKE_TEST}/**/*`],
      cache: true,
    }),
    manifests: shell(`tsx tools/deploy/check-app.ts ${info.app}`, {
      inputs: [`{projectRoot}/k8s/**/*`, ...k8sSources(info).map((s) => `{workspaceRoot}/${s}/**/*`)],
      cache: true,
    }),
    container: shell(`tsx tools/container/cli.ts build ${info.app}`, {
      dependsOn: ['build'],
      inputs: ['production', '^production', 'model', ...recipes],
    }),
    'container-push': shell(`tsx tools/container/cli.ts push ${info.app}`, { dependsOn: ['container'] }),
  };
}
