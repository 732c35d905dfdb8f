import type { Tree } from '@nx/devkit';
import { parseDocument, type Document } from 'yaml';

export const COMPOSE_FILE = 'docker-compose.yml';

const HEADER = `# Every model's services, kept in sync by \`nx g model\` and \`nx g remove-model\`.
# Images come from \`nx run-many -t container\`; \`nx up\` / \`nx down\` (project "stack") drive this file.
version: "3.8"
`;

function read(tree: Tree): Document {
  const doc = parseDocument(tree.read(COMPOSE_FILE, 'utf-8') ?? HEADER);
  // Block style throughout, however the file was seeded.
  if (!doc.has('services')) doc.set('services', doc.createNode({}, { flow: false }));
  return doc;
}

export interface ComposeModel {
  name: string;
  port: number;
  tfserving: boolean;
}

/**
 * The logic app publishes its dev port on 127.0.0.1; a TF Serving pair talks over its own
 * network, so a graph service is reachable only from its logic app.
 */
export function addComposeServices(tree: Tree, model: ComposeModel): void {
  const doc = read(tree);
  const app: Record<string, unknown> = {
    image: `\${REGISTRY:-localhost}/${model.name}:\${TAG:-dev}`,
    build: { context: '.', dockerfile: `apps/${model.name}/Dockerfile` },
    ports: [`127.0.0.1:${model.port}:8080`],
    environment: { LOG_LEVEL: 'info' },
    restart: 'unless-stopped',
  };
  if (model.tfserving) {
    const network = `${model.name}-graph`;
    Object.assign(app.environment as object, { TFSERVING_URL: `http://${model.name}-graph:8501`, TFSERVING_GRPC: `${model.name}-graph:8500` });
    app['depends_on'] = [`${model.name}-graph`];
    app['networks'] = ['default', network];
    doc.setIn(['services', `${model.name}-graph`], {
      image: `\${REGISTRY:-localhost}/${model.name}-graph:\${TAG:-dev}`,
      build: { context: '.', dockerfile: `apps/${model.name}/graph/Dockerfile` },
      networks: [network],
      restart: 'unless-stopped',
    });
    doc.setIn(['networks', network], { internal: true });
  }
  doc.setIn(['services', model.name], app);
  tree.write(COMPOSE_FILE, doc.toString());
}

export function removeComposeServices(tree: Tree, name: string): void {
  if (!tree.exists(COMPOSE_FILE)) return;
  const doc = read(tree);
  doc.deleteIn(['services', name]);
  doc.deleteIn(['services', `${name}-graph`]);
  if (doc.hasIn(['networks', `${name}-graph`])) doc.deleteIn(['networks', `${name}-graph`]);
  const networks = doc.get('networks') as { items?: unknown[] } | undefined;
  if (networks && networks.items?.length === 0) doc.delete('networks');
  tree.write(COMPOSE_FILE, doc.toString());
}

export function composeHasService(tree: Tree, name: string): boolean {
  return tree.exists(COMPOSE_FILE) && read(tree).hasIn(['services', name]);
}
