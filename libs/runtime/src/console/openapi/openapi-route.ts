import { Router } from 'express';
import type { ModelSet } from '../../inference/served-model.js';
import { buildOpenApi } from './build-openapi.js';

/**
 * GET /openapi.json. Built on first request after start and again only when the loaded
 * versions change (a new version may bring a new signature) or a model.json edit swaps in
 * a new config (new field mapping, outputs, labels), never per request.
 */
export function openApiRoute(models: ModelSet, serverVersion: string): Router {
  const router = Router();
  let cached: { key: string; body: Promise<string> } | undefined;
  // A reloaded config is a new object: number each one seen, so the key changes with it.
  const configIds = new WeakMap<object, number>();
  let nextId = 0;
  const configId = (config: object): number => {
    let id = configIds.get(config);
    if (id === undefined) configIds.set(config, (id = nextId++));
    return id;
  };
  const versionsKey = () => models.all().map((m) => `${m.name}:${m.repository.availableVersions().join(',')}:${configId(m.config)}`).join(';');
  router.get('/openapi.json', async (_req, res) => {
    const key = versionsKey();
    if (cached?.key !== key) {
      const body = buildOpenApi(models, serverVersion).then((doc) => JSON.stringify(doc));
      cached = { key, body };
      body.catch(() => (cached = undefined));
    }
    res.type('application/json').send(await cached.body);
  });
  return router;
}
