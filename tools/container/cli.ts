/**
 * What the Nx targets `container` and `container-push` run:
 *   tsx tools/container/cli.ts build <app>     → localhost/<app>:$IMAGE_TAG (default dev)
 *   tsx tools/container/cli.ts push <app>      → $HARBOR_REGISTRY/$HARBOR_PROJECT/<app>:$IMAGE_TAG
 * Environment: CONTAINER_ENGINE (docker|podman|buildah), CONTAINER_PULL (e.g. never),
 * IMAGE_TAG, HARBOR_REGISTRY, HARBOR_PROJECT (default modelyard), REGISTRY_TLS_VERIFY=false.
 */
import { buildAppImages, pushAppImages } from './app-images.js';

const [command, app] = process.argv.slice(2);
if (!app || (command !== 'build' && command !== 'push')) {
  console.error('usage: cli.ts build|push <app>');
  process.exit(2);
}
if (command === 'build') {
  for (const image of await buildAppImages(app)) console.log(`built ${image}`);
} else {
  const registry = process.env['HARBOR_REGISTRY'];
  if (!registry) {
    console.error('HARBOR_REGISTRY is not set (e.g. harbor.example.com)');
    process.exit(2);
  }
  const pushed = await pushAppImages(app, {
    registry,
    project: process.env['HARBOR_PROJECT'] ?? 'modelyard',
    tags: [process.env['IMAGE_TAG'] ?? 'dev'],
    tlsVerify: process.env['REGISTRY_TLS_VERIFY'] !== 'false',
  });
  for (const image of pushed) console.log(`pushed ${image}`);
}
