import type { Tree } from '@nx/devkit';
import { parseDocument, type Document } from 'yaml';
import { imageRecipes, type AppInfo } from './app-info';
import { GRAPHS } from './backends';
import { treeApps, treeYards } from './tree-apps';
import { YARD_RECIPE, type YardInfo } from './yard-info';

export const COMPOSE_FILE = 'docker-compose.yml';

const HEADER = `# Every model's services, generated from the apps (\`nx sync\`; CI runs \`nx sync:check\`).
# Images come from \`nx run-many -t container\`; \`nx up\` / \`nx down\` (project "stack") drive this file.
# Services not built from tools/images/ are yours: the sync keeps them.
version: "3.8"
`;

function read(tree: Tree): Document {
  const doc = parseDocument(tree.read(COMPOSE_FILE, 'utf-8') ?? HEADER);
  // Block style throughout, however the file was seeded.
  if (!doc.has('services')) doc.set('services', doc.createNode({}, { flow: false }));
  return doc;
}

/** A service this sync owns: built from a shared recipe. */
function generated(service: unknown): boolean {
  const dockerfile = (service as { build?: { dockerfile?: unknown } } | null)?.build?.dockerfile;
  return typeof dockerfile === 'string' && dockerfile.startsWith('tools/images/');
}

/**
 * The logic app publishes its dev port on 127.0.0.1; a graph pair (TF Serving, Triton, KServe,
 * MLServer) talks over its own network, so a graph service is reachable only from its logic app.
 */
function services(app: AppInfo): Record<string, Record<string, unknown>> {
  const [logic, graph] = imageRecipes(app);
  const out: Record<string, Record<string, unknown>> = {};
  const service: Record<string, unknown> = {
    image: `\${REGISTRY:-localhost}/${app.app}:\${TAG:-dev}`,
    build: { context: '.', dockerfile: logic!.recipe, args: { APP: app.app, MODEL: app.model } },
    ports: [`127.0.0.1:${app.devPort}:8080`],
    environment: { LOG_LEVEL: 'info' } as Record<string, string>,
    restart: 'unless-stopped',
  };
  if (graph && app.graph) {
    Object.assign(service['environment'] as object, GRAPHS[app.graph].env(graph.image));
    service['depends_on'] = [graph.image];
    service['networks'] = ['default', graph.image];
    out[graph.image] = {
      image: `\${REGISTRY:-localhost}/${graph.image}:\${TAG:-dev}`,
      build: { context: '.', dockerfile: graph.recipe, args: { MODEL: app.model } },
      networks: [graph.image],
      restart: 'unless-stopped',
    };
  }
  out[app.app] = service;
  return out;
}

/** A yard beside the model apps: its image holds the models it lists (build arg MODELS). */
function yardService(yard: YardInfo): Record<string, Record<string, unknown>> {
  const models = yard.models.join(',');
  return {
    [yard.app]: {
      image: `\${REGISTRY:-localhost}/${yard.app}:\${TAG:-dev}`,
      build: { context: '.', dockerfile: YARD_RECIPE, args: { APP: yard.app, MODELS: models } },
      ports: [`127.0.0.1:${yard.devPort}:8080`],
      environment: { LOG_LEVEL: 'info', MODELS: models },
      restart: 'unless-stopped',
    },
  };
}

/** Rewrites docker-compose.yml from the apps in the Tree; true when its text changed. */
export function syncCompose(tree: Tree): boolean {
  const before = tree.read(COMPOSE_FILE, 'utf-8');
  const doc = read(tree);
  const apps = treeApps(tree);
  const wanted: Record<string, Record<string, unknown>> = Object.assign({}, ...apps.map(services), ...treeYards(tree).map(yardService));
  const current = (doc.toJS() as { services?: Record<string, unknown> }).services ?? {};
  for (const [name, service] of Object.entries(current)) if (generated(service) && !(name in wanted)) doc.deleteIn(['services', name]);
  for (const [name, service] of Object.entries(wanted)) doc.setIn(['services', name], service);
  const networks = apps.filter((a) => a.graph).map((a) => `${a.app}-graph`);
  const existing = (doc.toJS() as { networks?: Record<string, unknown> }).networks ?? {};
  for (const name of Object.keys(existing)) if (name.endsWith('-graph') && !networks.includes(name)) doc.deleteIn(['networks', name]);
  for (const name of networks) doc.setIn(['networks', name], { internal: true });
  if (doc.has('networks') && Object.keys((doc.toJS() as { networks?: object }).networks ?? {}).length === 0) doc.delete('networks');
  const after = doc.toString();
  if (after === before) return false;
  tree.write(COMPOSE_FILE, after);
  return true;
}

export function composeHasService(tree: Tree, name: string): boolean {
  return tree.exists(COMPOSE_FILE) && read(tree).hasIn(['services', name]);
}
