import type { TargetConfiguration } from '@nx/devkit';
import { YARD_RECIPE, type YardInfo } from '../lib/yard-info';
import { compiledAppTargets, shell } from './app-targets';

/**
 * Every target a yard has, written once. As for a model app, none is in its project.json;
 * the models it serves come from its `metadata.modelyard.yard.models` list.
 */
export function yardTargets(info: YardInfo): Record<string, TargetConfiguration> {
  const root = `apps/${info.app}`;
  const models = info.models.join(',');
  return {
    serve: shell(`MODELS=\${MODELS:-${models}} MODELS_DIR=\${MODELS_DIR:-models} PORT=\${PORT:-${info.devPort}} tsx --conditions=development ${root}/src/main.ts`, { continuous: true }),
    ...compiledAppTargets(info.app),
    test: shell(`vitest run ${root}/ --passWithNoTests`, { inputs: ['default', '^production', 'model', '{workspaceRoot}/vitest.config.ts'], cache: true }),
    manifests: shell(`tsx tools/deploy/check-app.ts ${info.app}`, {
      inputs: [`{projectRoot}/k8s/**/*`, '{workspaceRoot}/tools/k8s/model-app/**/*', '{workspaceRoot}/tools/k8s/env/**/*'],
      cache: true,
    }),
    container: shell(`tsx tools/container/cli.ts build ${info.app}`, {
      dependsOn: ['build'],
      inputs: ['production', '^production', 'model', `{workspaceRoot}/${YARD_RECIPE}`],
    }),
    'container-push': shell(`tsx tools/container/cli.ts push ${info.app}`, { dependsOn: ['container'] }),
  };
}
