import type { SignatureEntry } from './read-onnx-signature';

/** What an output most likely means, from the names skl2onnx and Keras give them. */
function roleOf(name: string): string {
  if (/label|class/i.test(name)) return 'label';
  if (/prob/i.test(name)) return 'probabilities';
  return 'value';
}

/**
 * models/<name>/model.json. From an ONNX signature it is complete: each input takes the
 * record field of its own name, which the team can rename in `field`.
 */
export interface ModelJson {
  name: string;
  backend: string;
  artifact?: string;
  inputs?: { name: string; dtype: string; shape: number[]; field?: string; fields?: string[] }[];
  outputs?: { name: string; role: string }[];
  transformer?: { artifact: string };
  v2?: { versions?: 'same' | 'latest' };
  getScore?: { output?: string };
  versionPolicy: { latest: { numVersions: number } };
  labels: Record<string, number>;
  batching?: { maxBatchSize: number; batchTimeoutMicros: number };
}

/**
 * Dynamic batching for an in-process ONNX model whose every input and output has a free
 * first dimension (rows). No waiting (`batchTimeoutMicros: 0`): only requests decoded in the
 * same turn of the event loop run together, so a lone caller pays nothing and concurrent
 * callers share one onnxruntime run (docs/benchmarks/vs-flask.md measures both).
 */
export const DEFAULT_BATCHING = { maxBatchSize: 64, batchTimeoutMicros: 0 } as const;

function batchable(signature: { inputs: SignatureEntry[]; outputs: SignatureEntry[] }): boolean {
  const rows = (e: SignatureEntry) => e.shape.length > 0 && e.shape[0] === -1;
  return signature.inputs.length > 0 && signature.inputs.every(rows) && signature.outputs.every(rows);
}

export function modelConfig(name: string, backend: string, signature?: { inputs: SignatureEntry[]; outputs: SignatureEntry[] }, artifact?: string): ModelJson {
  return {
    name,
    backend,
    ...(artifact && { artifact }),
    ...(signature && {
      inputs: signature.inputs.map((i) => ({ name: i.name, dtype: i.dtype, shape: i.shape, field: i.name })),
      outputs: signature.outputs.map((o) => ({ name: o.name, role: roleOf(o.name) })),
    }),
    versionPolicy: { latest: { numVersions: 1 } },
    labels: {},
    ...(backend === 'onnx' && signature && batchable(signature) && { batching: { ...DEFAULT_BATCHING } }),
  };
}

/** TF Serving's ModelServerConfig (text format) for the graph service image. */
export function modelsConfigText(name: string): string {
  return `# TF Serving model config for ${name}'s graph service (ModelServerConfig, text format).
model_config_list {
  config {
    name: '${name}'
    base_path: '/models/${name}'
    model_platform: 'tensorflow'
    model_version_policy { latest { num_versions: 1 } }
  }
}
`;
}

/** Triton's DataType names (model_config.proto) for the dtypes an ONNX signature has. */
const TRITON_TYPES: Record<string, string> = {
  bool: 'TYPE_BOOL',
  uint8: 'TYPE_UINT8',
  uint16: 'TYPE_UINT16',
  uint32: 'TYPE_UINT32',
  uint64: 'TYPE_UINT64',
  int8: 'TYPE_INT8',
  int16: 'TYPE_INT16',
  int32: 'TYPE_INT32',
  int64: 'TYPE_INT64',
  float32: 'TYPE_FP32',
  float64: 'TYPE_FP64',
  string: 'TYPE_STRING',
};

/** Largest batch Triton forms for the graph (its dynamic batcher); requests beyond it are refused. */
export const TRITON_MAX_BATCH = 64;

/**
 * One input or output of config.pbtxt. With batching on, `dims` leave out the batch
 * dimension; a per-row scalar (shape [-1]) is written as dims [1] reshaped to [], which is
 * how Triton describes it.
 */
function tritonTensor(entry: SignatureEntry, batched: boolean): string {
  const type = TRITON_TYPES[entry.dtype];
  if (!type) throw new Error(`tensor "${entry.name}" has dtype ${entry.dtype}, which Triton's config cannot name`);
  const dims = batched ? entry.shape.slice(1) : entry.shape;
  const lines = [`    name: ${JSON.stringify(entry.name)}`, `    data_type: ${type}`, `    dims: [ ${(dims.length ? dims : [1]).join(', ')} ]`];
  if (!dims.length) lines.push('    reshape: { shape: [ ] }');
  return `  {\n${lines.join('\n')}\n  }`;
}

/**
 * Triton's config.pbtxt (ModelConfig, protobuf text format) for an ONNX graph, from its
 * signature: batched when every tensor's first dimension is the batch (-1). Without a
 * signature it names only the model and platform, and Triton completes the rest from the
 * ONNX file.
 */
export function tritonConfigText(name: string, signature?: { inputs: SignatureEntry[]; outputs: SignatureEntry[] }): string {
  const all = signature ? [...signature.inputs, ...signature.outputs] : [];
  const batched = all.length > 0 && all.every((t) => t.shape.length > 0 && t.shape[0] === -1);
  const lines = [
    `# Triton model config for ${name}'s graph service (ModelConfig, text format); models/${name}/ is its model_repository entry.`,
    `name: ${JSON.stringify(name)}`,
    'platform: "onnxruntime_onnx"',
    `max_batch_size: ${batched ? TRITON_MAX_BATCH : 0}`,
    'version_policy: { latest: { num_versions: 1 } }',
  ];
  if (signature) {
    lines.push(`input [\n${signature.inputs.map((t) => tritonTensor(t, batched)).join(',\n')}\n]`);
    lines.push(`output [\n${signature.outputs.map((t) => tritonTensor(t, batched)).join(',\n')}\n]`);
  }
  if (batched) lines.push('dynamic_batching { max_queue_delay_microseconds: 500 }');
  lines.push('instance_group [ { kind: KIND_AUTO, count: 1 } ]');
  return `${lines.join('\n')}\n`;
}

/** MLServer's model-settings.json for a scikit-learn model (its mlserver-sklearn runtime). */
export function mlserverSettings(name: string, artifact: string) {
  return { name, implementation: 'mlserver_sklearn.SKLearnModel', parameters: { uri: `./1/${artifact}` } };
}
