import { dirname, basename } from 'node:path';
import type { CreateNodesV2 } from '@nx/devkit';
import { appInfo, fsReader } from '../lib/app-info';
import { yardInfo } from '../lib/yard-info';
import { appTargets } from './app-targets';
import { yardTargets } from './yard-targets';

/**
 * Infers every model app's targets, tags and `model` input from what is per-model
 * (apps/<name>/project.json and models/<model>/model.json). Other project.json files
 * (runtime, tools, yards) have no `metadata.modelyard` and are left alone.
 */
export const createNodesV2: CreateNodesV2 = [
  'apps/*/project.json',
  (files, _options, context) => {
    const read = fsReader(context.workspaceRoot);
    return files.flatMap((file) => {
      const yard = yardInfo(basename(dirname(file)), read);
      if (yard) {
        const project = {
          name: yard.app,
          projectType: 'application' as const,
          sourceRoot: `${dirname(file)}/src`,
          tags: ['type:app', 'type:yard'],
          namedInputs: { model: yard.models.map((m) => `{workspaceRoot}/models/${m}/**/*`) },
          targets: yardTargets(yard),
        };
        return [[file, { projects: { [dirname(file)]: project } }] as const];
      }
      const info = appInfo(basename(dirname(file)), read);
      if (!info) return [];
      return [
        [
          file,
          {
            projects: {
              [dirname(file)]: {
                name: info.app,
                projectType: 'application',
                sourceRoot: `${dirname(file)}/src`,
                tags: ['type:app', `backend:${info.backend}`],
                namedInputs: { model: [`{workspaceRoot}/models/${info.model}/**/*`] },
                targets: appTargets(info),
              },
            },
          },
        ] as const,
      ];
    });
  },
];
