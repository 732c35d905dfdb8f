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
  getScore?: { output?: string };
  versionPolicy: { latest: { numVersions: number } };
  labels: Record<string, number>;
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
