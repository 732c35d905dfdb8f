import { appInfo, fsReader, imageRecipes, type AppInfo } from '../plugin/src/lib/app-info.js';
import { YARD_RECIPE, yardInfo } from '../plugin/src/lib/yard-info.js';
import { buildImage, pushImage, type Engine } from './engine.js';

export interface AppImage {
  name: string;
  /** The shared recipe: tools/images/<kind>.Dockerfile. */
  dockerfile: string;
  /** What makes the shared recipe this app's image. */
  buildArgs: Record<string, string>;
}

function info(app: string, root: string): AppInfo {
  const found = appInfo(app, fsReader(root));
  if (!found) throw new Error(`apps/${app}/project.json does not exist or is not a model app (no metadata.modelyard)`);
  return found;
}

/** The images an app has: its logic image, and a graph image when it is TF Serving-backed. */
export function appImages(app: string, root = process.cwd()): AppImage[] {
  // A yard: one image from the shared yard recipe, holding the models it lists.
  const yard = yardInfo(app, fsReader(root));
  if (yard) return [{ name: yard.app, dockerfile: YARD_RECIPE, buildArgs: { APP: yard.app, MODELS: yard.models.join(',') } }];
  const i = info(app, root);
  return imageRecipes(i).map(({ image, recipe }) => ({ name: image, dockerfile: recipe, buildArgs: { APP: i.app, MODEL: i.model } }));
}

/** Local tag of an image: localhost/<name>:<IMAGE_TAG or dev>. */
export const localTag = (name: string, tag = process.env['IMAGE_TAG'] ?? 'dev') => `localhost/${name}:${tag}`;

/**
 * Builds the app's images from the shared recipes. `context` is the workspace root by
 * default; a test passes its own scratch copy, so it never reads dist folders that other
 * runs are rewriting.
 */
export async function buildAppImages(app: string, engine?: Engine, options: { noCache?: boolean; context?: string } = {}): Promise<string[]> {
  const context = options.context ?? '.';
  const built: string[] = [];
  for (const image of appImages(app, context)) {
    const tag = localTag(image.name);
    await buildImage({ dockerfile: `${context}/${image.dockerfile}`, context, tags: [tag], buildArgs: image.buildArgs, engine, ...(options.noCache !== undefined && { noCache: options.noCache }) });
    built.push(tag);
  }
  return built;
}

/** Pushes the app's images to <registry>/<project>/<name>:<tag> for each tag. */
export async function pushAppImages(app: string, target: { registry: string; project: string; tags: readonly string[]; tlsVerify?: boolean }, engine?: Engine): Promise<string[]> {
  const pushed: string[] = [];
  for (const image of appImages(app)) {
    for (const tag of target.tags) {
      const destination = `${target.registry}/${target.project}/${image.name}:${tag}`;
      await pushImage({ image: localTag(image.name), destination, tlsVerify: target.tlsVerify, engine });
      pushed.push(destination);
    }
  }
  return pushed;
}
