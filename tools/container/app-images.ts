import { existsSync } from 'node:fs';
import { buildImage, pushImage, type Engine } from './engine.js';

/** The images an app has: its logic image, and a graph image when it is TF Serving-backed. */
export function appImages(app: string): { name: string; dockerfile: string }[] {
  const images = [{ name: app, dockerfile: `apps/${app}/Dockerfile` }];
  if (existsSync(`apps/${app}/graph/Dockerfile`)) images.push({ name: `${app}-graph`, dockerfile: `apps/${app}/graph/Dockerfile` });
  return images;
}

/** Local tag of an image: localhost/<name>:<IMAGE_TAG or dev>. */
export const localTag = (name: string, tag = process.env['IMAGE_TAG'] ?? 'dev') => `localhost/${name}:${tag}`;

export async function buildAppImages(app: string, engine?: Engine, options: { noCache?: boolean } = {}): Promise<string[]> {
  const built: string[] = [];
  for (const image of appImages(app)) {
    if (!existsSync(image.dockerfile)) throw new Error(`${image.dockerfile} does not exist: is "${app}" a model app?`);
    const tag = localTag(image.name);
    await buildImage({ dockerfile: image.dockerfile, context: '.', tags: [tag], engine, ...options });
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
