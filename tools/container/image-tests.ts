/** What the image tests (*.infra.test.ts) share: building an app's image from a scratch workspace, and cleaning up after it. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE } from '../scale/scratch-workspace.js';
import { buildAppImages } from './app-images.js';
import { removeContainer, removeImage, type Engine } from './engine.js';
import { exec } from './exec.js';

/** `app`'s image, built as CI builds it: the runtime, then the app, then its recipe (no cache), all in `scratch`. */
export async function buildScratchImage(scratch: string, app: string, engine: Engine): Promise<string> {
  await exec('npx', ['tsc', '-p', 'libs/runtime/tsconfig.build.json'], { cwd: scratch });
  await exec('npx', ['tsx', join(WORKSPACE, 'tools/plugin/src/build/compile-app.ts'), app], { cwd: scratch });
  return (await buildAppImages(app, engine, { noCache: true, context: scratch }))[0]!;
}

/** Removes what an image test made: its scratch workspace, its container and its image. */
export async function cleanUpImageTest(made: { scratch?: string; container: string; image?: string; engine: Engine }): Promise<void> {
  if (made.scratch) rmSync(made.scratch, { recursive: true, force: true });
  await removeContainer(made.container, made.engine);
  if (made.image) await removeImage(made.image, made.engine);
}
