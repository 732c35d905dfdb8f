import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateFiles, logger, type Tree } from '@nx/devkit';
import { addComposeServices } from '../../lib/compose';
import { appNameFor, checkModelName } from '../../lib/model-name';
import { artifactKind, copyIntoTree } from './copy-artifact';
import { nextDevPort } from './dev-port';
import { modelConfig, modelsConfigText, type ModelJson } from './model-config';
import { readOnnxSignature } from './read-onnx-signature';
import { setUpSample } from './sample-file';
import type { ModelGeneratorSchema } from './schema';
import { checkTransformer, TRANSFORMER_FILE } from './transformer';

/** Pinned so that a graph image is reproducible; bump deliberately. */
export const TF_SERVING_VERSION = '2.18.0';

const ARTIFACT_FOR_BACKEND = { onnx: 'onnx', tfjs: 'tfjs', tfserving: 'savedmodel' } as const;

function registry(): string {
  return `${process.env['HARBOR_REGISTRY'] ?? 'harbor.example.com'}/${process.env['HARBOR_PROJECT'] ?? 'modelyard'}`;
}

/**
 * `nx g model <name>`: the app (apps/<app>: main, hooks, smoke test, Dockerfile, k8s
 * base and overlays), the model folder (models/<name>: config, version 1 from --from, and
 * with --transformer its transformer; with --sample the field mapping and sample.json), the
 * compose services, and for TF Serving models the graph image and its Deployment. <name> is
 * the served model name (URLs); <app> is its DNS-1123 form or --app-name.
 */
export async function modelGenerator(tree: Tree, options: ModelGeneratorSchema): Promise<void> {
  const modelName = options.name;
  checkModelName(modelName);
  // The app (Nx project, apps/ folder, image, Kubernetes objects) needs a DNS-1123 name.
  const name = appNameFor(modelName, options.appName);
  const backend = options.backend ?? 'onnx';
  for (const path of [`apps/${name}`, `models/${modelName}`]) {
    if (tree.exists(path)) throw new Error(`Model "${modelName}" already exists (${path}); nothing was changed. Remove it first with: nx g remove-model ${modelName}`);
  }
  if ((options.transformer || options.sample) && !options.from) throw new Error('--transformer and --sample need the model itself: give --from <model>');
  if (options.columns && !options.sample) throw new Error('--columns maps the fields of a --sample: give --sample <records.json> too');
  const port = options.port ?? nextDevPort(tree);
  const tfserving = backend === 'tfserving';

  let signature: Awaited<ReturnType<typeof readOnnxSignature>> | undefined;
  let modelBytes: Uint8Array | undefined;
  let artifact: string | undefined;
  if (options.from) {
    const kind = artifactKind(options.from);
    if (kind !== ARTIFACT_FOR_BACKEND[backend]) {
      throw new Error(`--from ${options.from} is a ${kind} artifact, but --backend ${backend} needs a ${ARTIFACT_FOR_BACKEND[backend]} one`);
    }
    if (kind === 'onnx') {
      modelBytes = readBytes(tree, options.from);
      signature = await readOnnxSignature(modelBytes);
    } else {
      if (options.sample) throw new Error(`--sample runs the model at generation time, which needs an ONNX model; ${options.from} is a ${kind} artifact`);
      copyIntoTree(tree, options.from, `models/${modelName}/1`);
      if (kind === 'tfjs') artifact = 'model.json';
    }
  }

  let transformer: { bytes: Uint8Array; signature: Awaited<ReturnType<typeof readOnnxSignature>> } | undefined;
  if (options.transformer) {
    const bytes = readBytes(tree, options.transformer);
    transformer = { bytes, signature: await readOnnxSignature(bytes) };
    if (signature) checkTransformer(transformer.signature, signature);
  }

  // Callers feed the transformer when there is one; the outputs are the model's.
  const front = transformer?.signature ?? signature;
  const config: ModelJson = modelConfig(modelName, backend, front && { inputs: front.inputs, outputs: signature?.outputs ?? transformer!.signature.outputs }, artifact);
  if (transformer) {
    config.transformer = { artifact: TRANSFORMER_FILE };
    if (!signature) delete config.outputs; // the graph's outputs are not known from here
  }
  if (options.sample && modelBytes && front) {
    const sample = await setUpSample(tree, {
      modelName,
      sample: options.sample,
      columns: options.columns,
      model: modelBytes,
      transformer: transformer?.bytes,
      front: { inputs: front.inputs, bytes: transformer?.bytes ?? modelBytes },
      outputs: config.outputs ?? [],
    });
    config.inputs = sample.inputs;
    if (sample.getScoreOutput) config.getScore = { output: sample.getScoreOutput };
  }
  // Written only now: a sample that cannot be placed leaves the tree untouched.
  if (modelBytes) copyIntoTree(tree, options.from!, `models/${modelName}/1/model.onnx`);
  if (transformer) tree.write(`models/${modelName}/1/${TRANSFORMER_FILE}`, Buffer.from(transformer.bytes));
  tree.write(`models/${modelName}/model.json`, `${JSON.stringify(config, null, 2)}\n`);
  if (tfserving) tree.write(`models/${modelName}/models.config`, modelsConfigText(modelName));

  const tags = ['type:app', `backend:${backend}`, ...(options.tags ?? '').split(',').map((t) => t.trim()).filter(Boolean)];
  const substitutions = { name, modelName, sample: Boolean(options.sample), port, tags, backend, tfserving, registry: registry(), tfServingVersion: TF_SERVING_VERSION, tmpl: '' };
  generateFiles(tree, join(__dirname, 'files', 'app'), `apps/${name}`, substitutions);
  if (tfserving) generateFiles(tree, join(__dirname, 'files', 'graph'), `apps/${name}`, substitutions);
  addComposeServices(tree, { name, port, tfserving });

  if (!options.from) logger.info(`Put the model's first version in models/${modelName}/1/ (the app serves once one is there).`);
  if (name !== modelName) logger.info(`App "${name}" serves model "${modelName}" (/v1/models/${modelName}:predict, /v2/models/${modelName}/infer).`);
  logger.info(`Serve it with: npx nx serve ${name}   (port ${port})`);
}

function readBytes(tree: Tree, path: string): Uint8Array {
  return tree.read(path) ?? readFileSync(path);
}

export default modelGenerator;
