import type { Tree } from '@nx/devkit';

/** What Nx expects back from a sync generator (nx/src/utils/sync-generators). */
export type SyncGeneratorResult = undefined | { outOfSyncMessage?: string };
import { syncCompose } from '../lib/compose';

/**
 * Sync generator (`nx sync`; `nx sync:check` in CI): docker-compose.yml is the one file
 * generated from every app, so it is rewritten from them and CI fails when it drifts.
 */
export async function syncComposeGenerator(tree: Tree): Promise<SyncGeneratorResult> {
  if (syncCompose(tree)) return { outOfSyncMessage: 'docker-compose.yml does not match the model apps (run `nx sync`)' };
  return undefined;
}

export default syncComposeGenerator;
