import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { artifactOf, type InputConfig, type OutputConfig } from '../../config/schema.js';
import { fieldsFor, itemShape } from '../../features/records-to-tensors.js';
import type { ServedModel } from '../../inference/served-model.js';
import { elementCount, type Signature, type TensorSpec } from '../../tensor/tensor.js';

/** One record field as callers send it, and the model input it feeds. */
export interface FieldFact {
  name: string;
  input: TensorSpec;
  /** For an array-valued field (an image): the dimensions of its value. */
  dims?: number[];
  categories?: string[];
}

export interface OutputFact {
  spec: TensorSpec;
  config?: OutputConfig;
}

/** A record from the model's reference data, to build examples that really work. */
export interface ReferenceExample {
  record: Record<string, unknown>;
  index: number;
  /** Relative to the models folder, e.g. penguins/2/reference.json. */
  file: string;
}

/** What the documents say about one served model, read once from its config, signature and files. */
export interface ModelFacts {
  name: string;
  model: ServedModel;
  /** The version the docs describe (the latest available); undefined when none is loaded. */
  version?: number;
  signature?: Signature;
  fields: FieldFact[];
  outputs: OutputFact[];
  example?: ReferenceExample;
}

/** A record without nulls: null is a valid missing value, but an example should show real values. */
const complete = (r: unknown): r is Record<string, unknown> =>
  typeof r === 'object' && r !== null && !Array.isArray(r) && Object.values(r).every((v) => v !== null);

async function readReference(dir: string, name: string, version: number): Promise<ReferenceExample | undefined> {
  try {
    const ref = JSON.parse(await readFile(join(dir, String(version), 'reference.json'), 'utf8')) as { records?: unknown[] };
    const index = ref.records?.findIndex(complete) ?? -1;
    if (index < 0) return undefined;
    return { record: ref.records![index] as Record<string, unknown>, index, file: `${name}/${version}/reference.json` };
  } catch {
    return undefined;
  }
}

/** The categories the version's ONNX files (model and transformer) carry, by input name. */
async function categoriesOf(model: ServedModel, version: number): Promise<Map<string, string[]>> {
  const dir = join(model.repository.modelDir, String(version));
  const files: string[] = [];
  if (model.config.backend === 'onnx') files.push(join(dir, artifactOf(model.config)));
  if (model.config.transformer) files.push(join(dir, model.config.transformer.artifact));
  // Loaded on the first /openapi.json, not at start: protobufjs is megabytes an idle app need not hold.
  const { onnxFileCategories } = await import('./onnx-categories.js');
  const found = new Map<string, string[]>();
  for (const file of files) for (const [input, cats] of await onnxFileCategories(file)) found.set(input, cats);
  return found;
}

function fieldFacts(signature: Signature, inputs: readonly InputConfig[], categories: Map<string, string[]>): FieldFact[] {
  const facts: FieldFact[] = [];
  for (const spec of signature.inputs) {
    const fields = fieldsFor(spec, inputs.find((i) => i.name === spec.name));
    const item = itemShape(spec, fields);
    if (elementCount(item) !== fields.length) {
      facts.push({ name: fields[0]!, input: spec, dims: item });
      continue;
    }
    const cats = fields.length === 1 ? categories.get(spec.name) : undefined;
    for (const name of fields) facts.push(cats ? { name, input: spec, categories: cats } : { name, input: spec });
  }
  return facts;
}

export async function modelFacts(model: ServedModel): Promise<ModelFacts> {
  const version = model.repository.latestVersion();
  if (version === undefined) return { name: model.name, model, fields: [], outputs: [] };
  const signature = model.repository.resolve({ version }).signature;
  const configs = model.config.outputs ?? [];
  const facts: ModelFacts = {
    name: model.name,
    model,
    version,
    signature,
    fields: fieldFacts(signature, model.config.inputs ?? [], await categoriesOf(model, version)),
    outputs: signature.outputs.map((spec) => {
      const config = configs.find((c) => c.name === spec.name);
      return config ? { spec, config } : { spec };
    }),
  };
  const example = await readReference(model.repository.modelDir, model.name, version);
  if (example) facts.example = example;
  return facts;
}
