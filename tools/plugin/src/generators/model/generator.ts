import { join } from 'node:path';
import { generateFiles, logger, type Tree } from '@nx/devkit';
import { addComposeServices } from '../../lib/compose';
import { checkModelName } from '../../lib/model-name';
import { artifactKind, copyIntoTree } from './copy-artifact';
import { nextDevPort } from './dev-port';
import { modelConfig, modelsConfigText } from './model-config';
import { readOnnxSignature } from './read-onnx-signature';
import type { ModelGeneratorSchema } from './schema';

/** Pinned so that a graph image is reproducible; bump deliberately. */
export const TF_SERVING_VERSION = '2.18.0';

const ARTIFACT_FOR_BACKEND = { onnx: 'onnx', tfjs: 'tfjs', tfserving: 'savedmodel' } as const;

function registry(): string {
  return `${process.env['HARBOR_REGISTRY'] ?? 'harbor.example.com'}/${process.env['HARBOR_PROJECT'] ?? 'modelyard'}`;
}

/**
 * `nx g model <name>`: the app (apps/<name>: main, hooks, smoke test, Dockerfile, k8s
 * base and overlays), the model folder (models/<name>: config, version 1 from --from), the
 * compose services, and for TF Serving models the graph image and its Deployment.
 */
export async function modelGenerator(tree: Tree, options: ModelGeneratorSchema): Promise<void> {
  const name = options.name;
  checkModelName(name);
  const backend = options.backend ?? 'onnx';
  for (const path of [`apps/${name}`, `models/${name}`]) {
    if (tree.exists(path)) throw new Error(`Model "${name}" already exists (${path}); nothing was changed. Remove it first with: nx g remove-model ${name}`);
  }
  const port = options.port ?? nextDevPort(tree);
  const tfserving = backend === 'tfserving';

  let signature: Awaited<ReturnType<typeof readOnnxSignature>> | undefined;
  let artifact: string | undefined;
  if (options.from) {
    const kind = artifactKind(options.from);
    if (kind !== ARTIFACT_FOR_BACKEND[backend]) {
      throw new Error(`--from ${options.from} is a ${kind} artifact, but --backend ${backend} needs a ${ARTIFACT_FOR_BACKEND[backend]} one`);
    }
    if (kind === 'onnx') {
      const bytes = tree.read(options.from) ?? (await import('node:fs')).readFileSync(options.from);
      signature = await readOnnxSignature(bytes);
      copyIntoTree(tree, options.from, `models/${name}/1/model.onnx`);
    } else {
      copyIntoTree(tree, options.from, `models/${name}/1`);
      if (kind === 'tfjs') artifact = 'model.json';
    }
  }
  tree.write(`models/${name}/model.json`, `${JSON.stringify(modelConfig(name, backend, signature, artifact), null, 2)}\n`);
  if (tfserving) tree.write(`models/${name}/models.config`, modelsConfigText(name));

  const tags = ['type:app', `backend:${backend}`, ...(options.tags ?? '').split(',').map((t) => t.trim()).filter(Boolean)];
  const substitutions = { name, port, tags, backend, tfserving, registry: registry(), tfServingVersion: TF_SERVING_VERSION, tmpl: '' };
  generateFiles(tree, join(__dirname, 'files', 'app'), `apps/${name}`, substitutions);
  if (tfserving) generateFiles(tree, join(__dirname, 'files', 'graph'), `apps/${name}`, substitutions);
  addComposeServices(tree, { name, port, tfserving });

  if (!options.from) logger.info(`Put the model's first version in models/${name}/1/ (the app serves once one is there).`);
  logger.info(`Serve it with: npx nx serve ${name}   (port ${port})`);
}

export default modelGenerator;
