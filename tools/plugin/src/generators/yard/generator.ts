import { join } from 'node:path';
import { generateFiles, type Tree } from '@nx/devkit';
import { parseAllDocuments } from 'yaml';
import { syncCompose } from '../../lib/compose';
import { yardInfo } from '../../lib/yard-info';
import { treeReader } from '../../lib/tree-apps';
import { nextDevPort } from '../model/dev-port';

export interface YardGeneratorSchema {
  name: string;
  port?: number;
}

function registry(): string {
  return `${process.env['HARBOR_REGISTRY'] ?? 'harbor.example.com'}/${process.env['HARBOR_PROJECT'] ?? 'modelyard'}`;
}

/**
 * `nx g yard <name>`: an app that serves many models from one process (apps/<name>: its
 * project.json with the list of models, src/main.ts, k8s base and overlays on the shared
 * base, a Service per model). Its targets, image recipe and compose service are shared.
 */
export function writeYard(tree: Tree, options: YardGeneratorSchema): void {
  if (tree.exists(`apps/${options.name}`)) throw new Error(`apps/${options.name} already exists; nothing was changed`);
  generateFiles(tree, join(__dirname, 'files'), `apps/${options.name}`, { name: options.name, port: options.port ?? nextDevPort(tree), registry: registry(), tmpl: '' });
}

export async function yardGenerator(tree: Tree, options: YardGeneratorSchema): Promise<void> {
  writeYard(tree, options);
  syncCompose(tree);
}

/**
 * Places a model in a yard (creating the yard when there is none of that name): its name in
 * the yard's list, an empty hooks module, and a Service under the name its own app would have.
 */
export function addModelToYard(tree: Tree, yard: string, model: { model: string; app: string }): void {
  if (!tree.exists(`apps/${yard}/project.json`)) writeYard(tree, { name: yard });
  const read = treeReader(tree);
  const project = JSON.parse(read(`apps/${yard}/project.json`)!) as { metadata?: { modelyard?: { yard?: { models?: string[] } } } };
  const list = project.metadata?.modelyard?.yard?.models;
  if (!list) throw new Error(`apps/${yard} is not a yard (its project.json has no metadata.modelyard.yard)`);
  if (!list.includes(model.model)) list.push(model.model);
  tree.write(`apps/${yard}/project.json`, `${JSON.stringify(project, null, 2)}\n`);
  yardInfo(yard, treeReader(tree)); // checks the result

  const hooks = `apps/${yard}/src/hooks/${model.model}.ts`;
  if (!tree.exists(hooks)) {
    tree.write(
      hooks,
      `import type { Hooks } from '@modelyard/runtime';\n\n/** Business logic around the ${model.model} model in this yard (as an app's src/hooks.ts). Empty: served as is. */\nexport const hooks: Hooks = {};\n`,
    );
  }

  const servicesPath = `apps/${yard}/k8s/base/model-services.yaml`;
  const text = tree.read(servicesPath, 'utf-8') ?? '';
  const names = parseAllDocuments(text).map((d) => (d.toJS() as { metadata?: { name?: string } } | null)?.metadata?.name);
  if (!names.includes(model.app)) {
    const service = [
      '---',
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      `  name: ${model.app}`,
      '  labels:',
      `    modelyard.io/model: ${JSON.stringify(model.model)}`,
      'spec:',
      '  selector:',
      `    app.kubernetes.io/name: ${yard}`,
      '    app.kubernetes.io/component: logic',
      '  ports:',
      '    - name: http',
      '      port: 80',
      '      targetPort: http',
      '',
    ].join('\n');
    tree.write(servicesPath, `${text.replace(/\n*$/, '\n')}${service}`);
  }
}

/** Takes a model out of every yard that lists it; true if one did. */
export function removeModelFromYards(tree: Tree, model: { model: string; app: string }): boolean {
  let found = false;
  for (const yard of tree.exists('apps') ? tree.children('apps') : []) {
    const path = `apps/${yard}/project.json`;
    const text = tree.exists(path) ? tree.read(path, 'utf-8') : null;
    if (!text) continue;
    const project = JSON.parse(text) as { metadata?: { modelyard?: { yard?: { models?: string[] } } } };
    const list = project.metadata?.modelyard?.yard?.models;
    if (!list?.includes(model.model)) continue;
    found = true;
    list.splice(list.indexOf(model.model), 1);
    tree.write(path, `${JSON.stringify(project, null, 2)}\n`);
    const hooks = `apps/${yard}/src/hooks/${model.model}.ts`;
    if (tree.exists(hooks)) tree.delete(hooks);
    const servicesPath = `apps/${yard}/k8s/base/model-services.yaml`;
    const services = tree.read(servicesPath, 'utf-8');
    if (services) {
      const kept = services.split(/^---\n/m).filter((doc) => !new RegExp(`^  name: ${model.app}$`, 'm').test(doc));
      tree.write(servicesPath, kept.join('---\n'));
    }
  }
  return found;
}

export default yardGenerator;
