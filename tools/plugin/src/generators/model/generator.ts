import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateFiles, logger, type Tree } from '@nx/devkit';
import { BACKENDS, GRAPHS, graphOf, type Backend, type GraphKind } from '../../lib/backends';
import { syncCompose } from '../../lib/compose';
import { appNameFor, checkModelName } from '../../lib/model-name';
import { artifactKind, copyIntoTree } from './copy-artifact';
import { nextDevPort } from './dev-port';
import { mlserverSettings, modelConfig, modelsConfigText, tritonConfigText, type ModelJson } from './model-config';
import { readOnnxSignature } from './read-onnx-signature';
import { setUpSample } from './sample-file';
import type { ModelGeneratorSchema } from './schema';
import { checkTransformer, TRANSFORMER_FILE } from './transformer';
import { addModelToYard } from '../yard/generator';

function registry(): string {
  return `${process.env['HARBOR_REGISTRY'] ?? 'harbor.example.com'}/${process.env['HARBOR_PROJECT'] ?? 'modelyard'}`;
}

/** Everything the steps below need, decided once from the options. */
export interface ModelPlan {
  /** The app: apps/<name>, its Nx project, Deployment, Service and images (a DNS-1123 label). */
  name: string;
  /** The served model name (in every URL) and its folder, models/<model>/. */
  model: string;
  backend: Backend;
  /** The graph service paired with the app; none for an in-process backend. */
  graph?: GraphKind;
  port: number;
  /** Extra Nx tags (type:app and backend:<kind> are inferred by the plugin). */
  tags: string[];
  options: ModelGeneratorSchema;
}

export function planModel(tree: Tree, options: ModelGeneratorSchema): ModelPlan {
  checkModelName(options.name);
  // The app (Nx project, apps/ folder, image, Kubernetes objects) needs a DNS-1123 name.
  const name = appNameFor(options.name, options.appName);
  const model = options.name;
  for (const path of [`apps/${name}`, `models/${model}`]) {
    if (tree.exists(path)) throw new Error(`Model "${model}" already exists (${path}); nothing was changed. Remove it first with: nx g remove-model ${model}`);
  }
  if ((options.transformer || options.sample) && !options.from) throw new Error('--transformer and --sample need the model itself: give --from <model>');
  if (options.columns && !options.sample) throw new Error('--columns maps the fields of a --sample: give --sample <records.json> too');
  const backend = options.backend ?? 'onnx';
  const graph = graphOf(backend, options.graph);
  return {
    name,
    model,
    backend,
    ...(graph && { graph }),
    port: options.port ?? nextDevPort(tree),
    tags: (options.tags ?? '').split(',').map((t) => t.trim()).filter(Boolean),
    options,
  };
}

/**
 * models/<model>/: model.json (complete when --from is an ONNX file), version 1, with
 * --transformer its transformer, with --sample the field mapping and sample.json (which the
 * shared smoke test then checks), and models.config for TF Serving.
 */
export async function writeModelFolder(tree: Tree, plan: ModelPlan): Promise<void> {
  const { options, backend, graph, model } = plan;
  let signature: Awaited<ReturnType<typeof readOnnxSignature>> | undefined;
  let modelBytes: Uint8Array | undefined;
  let artifact: string | undefined;
  if (options.from) {
    const kind = artifactKind(options.from);
    // A graph service decides what it can run (Triton: ONNX here; KServe, MLServer: scikit-learn).
    const accepted: readonly string[] = graph ? GRAPHS[graph].artifacts : BACKENDS[backend].artifacts;
    if (!accepted.includes(kind)) {
      const needs = accepted.join(' or ');
      throw new Error(`--from ${options.from} is a ${kind} artifact, but --backend ${backend}${graph && backend === 'v2' ? ` --graph ${graph}` : ''} needs a ${needs} one`);
    }
    if (kind === 'onnx') {
      modelBytes = readBytes(tree, options.from);
      signature = await readOnnxSignature(modelBytes);
    } else {
      if (options.sample) throw new Error(`--sample runs the model at generation time, which needs an ONNX model; ${options.from} is a ${kind} artifact`);
      if (kind === 'sklearn') {
        artifact = `model${options.from.slice(options.from.lastIndexOf('.'))}`;
        copyIntoTree(tree, options.from, `models/${model}/1/${artifact}`);
      } else copyIntoTree(tree, options.from, `models/${model}/1`);
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
  const config: ModelJson = modelConfig(model, backend, front && { inputs: front.inputs, outputs: signature?.outputs ?? transformer!.signature.outputs }, artifact);
  // KServe's and MLServer's model servers serve one unversioned model per image.
  if (graph === 'kserve' || graph === 'mlserver') config.v2 = { versions: 'latest' };
  if (transformer) {
    config.transformer = { artifact: TRANSFORMER_FILE };
    if (!signature) delete config.outputs; // the graph's outputs are not known from here
  }
  if (options.sample && modelBytes && front) {
    const sample = await setUpSample(tree, {
      modelName: model,
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
  if (modelBytes) copyIntoTree(tree, options.from!, `models/${model}/1/model.onnx`);
  if (transformer) tree.write(`models/${model}/1/${TRANSFORMER_FILE}`, Buffer.from(transformer.bytes));
  tree.write(`models/${model}/model.json`, `${JSON.stringify(config, null, 2)}\n`);
  writeGraphFiles(tree, plan, config, signature);
}

/**
 * What the graph service reads beside the version folders: TF Serving's models.config,
 * Triton's config.pbtxt (models/<name>/ is laid out as Triton's model_repository/<name>/:
 * the config beside numbered version folders), MLServer's model-settings.json.
 */
function writeGraphFiles(tree: Tree, plan: ModelPlan, config: ModelJson, signature: Awaited<ReturnType<typeof readOnnxSignature>> | undefined): void {
  const { model, graph } = plan;
  if (graph === 'tfserving') tree.write(`models/${model}/models.config`, modelsConfigText(model));
  if (graph === 'triton') tree.write(`models/${model}/config.pbtxt`, tritonConfigText(model, signature));
  if (graph === 'mlserver') tree.write(`models/${model}/model-settings.json`, `${JSON.stringify(mlserverSettings(model, config.artifact ?? 'model.joblib'), null, 2)}\n`);
  if (graph === 'triton' && !signature) logger.info(`models/${model}/config.pbtxt names no inputs: Triton completes them from the ONNX model (or run the generator with --from to write them).`);
}

/**
 * apps/<name>/: only what is this model's own (docs/add-a-model.md lists it): project.json
 * (name, tags, model, dev port), src/main.ts, src/hooks.ts, k8s/base (its name and image on
 * the shared base) and the sit/stg/prd overlays (where the pipeline writes image tags).
 * Targets, image recipes, the Kubernetes base and the smoke test are shared (tools/).
 */
export function writeAppFiles(tree: Tree, plan: Omit<ModelPlan, 'options'>): void {
  const { name, model, backend, graph, port, tags } = plan;
  const substitutions = {
    name,
    model,
    modelName: model,
    backend,
    port,
    tags,
    graphComponent: graph ? GRAPHS[graph].k8s : '',
    // project.json names a v2 app's graph service; tfserving's is implied by its backend.
    v2Graph: backend === 'v2' ? graph : '',
    registry: registry(),
    tmpl: '',
  };
  generateFiles(tree, join(__dirname, 'files', 'app'), `apps/${name}`, substitutions);
}

/** `nx g model <name>`: the model folder, the app, and the compose services (synced from the apps). */
export async function modelGenerator(tree: Tree, options: ModelGeneratorSchema): Promise<void> {
  const plan = planModel(tree, options);
  const yard = options.placement === 'yard' ? (options.yard ?? 'yard') : undefined;
  // A yard runs its models in its own process: a graph service of their own they cannot have.
  if (yard && 'graphs' in BACKENDS[plan.backend]) throw new Error(`--placement yard serves models in process (onnx, tfjs); a ${plan.backend} model has its own graph service and needs its own app: --placement own`);
  await writeModelFolder(tree, plan);
  if (yard) addModelToYard(tree, yard, { model: plan.model, app: plan.name });
  else writeAppFiles(tree, plan);
  syncCompose(tree);
  if (yard) {
    logger.info(`Model "${plan.model}" is served by the yard "${yard}" (apps/${yard}/project.json lists it); Service "${plan.name}" points at the yard.`);
    return;
  }
  if (!options.from) logger.info(`Put the model's first version in models/${plan.model}/1/ (the app serves once one is there).`);
  if (plan.name !== plan.model) logger.info(`App "${plan.name}" serves model "${plan.model}" (/v1/models/${plan.model}:predict, /v2/models/${plan.model}/infer).`);
  logger.info(`Serve it with: npx nx serve ${plan.name}   (port ${plan.port})`);
}

function readBytes(tree: Tree, path: string): Uint8Array {
  return tree.read(path) ?? readFileSync(path);
}

export default modelGenerator;
