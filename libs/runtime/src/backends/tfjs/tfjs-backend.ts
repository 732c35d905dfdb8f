import { join } from 'node:path';
import { artifactOf, type ModelConfig } from '../../config/schema.js';
import { ServingError } from '../../errors.js';
import { DTYPES, type DType, type NamedTensors, type Signature, type TensorSpec } from '../../tensor/tensor.js';
import type { Backend, BackendLoadOptions } from '../backend.js';
import { readModelArtifacts } from './file-io.js';
import { loadTf, type TfjsBackendName, type TfModule } from './load-tf.js';

type TfTensor = ReturnType<TfModule['tensor']>;

const spec = (name: string, shape: readonly (number | null)[] | undefined, dtype: string): TensorSpec => {
  if (!DTYPES.includes(dtype as DType)) throw new Error(`"${name}" has dtype ${dtype}, which modelyard cannot serve`);
  return { name, dtype: dtype as DType, shape: shape ? shape.map((d) => (d === null || d < 0 ? -1 : d)) : null };
};

/**
 * TensorFlow.js layers and graph models, in process, from models/<name>/<v>/model.json.
 * tfjs computes on the calling thread; it suits small models (the onnx backend is the one
 * with a worker pool).
 */
export async function loadTfjsBackend(options: BackendLoadOptions, config: ModelConfig, preferred?: TfjsBackendName): Promise<Backend> {
  const { tf } = await loadTf(preferred);
  const artifacts = await readModelArtifacts(join(options.versionDir, artifactOf(config)));
  const handler = tf.io.fromMemory(artifacts);

  if (artifacts.format === 'graph-model') {
    const model = await tf.loadGraphModel(handler);
    const signature: Signature = {
      inputs: model.inputs.map((i) => spec(i.name, i.shape, i.dtype)),
      outputs: model.outputs.map((o) => spec(o.name, o.shape, o.dtype)),
    };
    return {
      signature,
      run: async (inputs, outputs) => {
        const names = outputs ?? signature.outputs.map((o) => o.name);
        const feeds: Record<string, TfTensor> = {};
        for (const [name, t] of Object.entries(inputs)) feeds[name] = tf.tensor(t.data as never, t.shape, t.dtype as never);
        try {
          const result = (await model.executeAsync(feeds, [...names])) as TfTensor | TfTensor[];
          return collect(names, Array.isArray(result) ? result : [result]);
        } finally {
          tf.dispose(Object.values(feeds));
        }
      },
      close: async () => model.dispose(),
    };
  }

  const model = await tf.loadLayersModel(handler);
  const signature: Signature = {
    inputs: model.inputs.map((i, k) => spec(model.inputNames[k]!, i.shape, i.dtype)),
    outputs: model.outputs.map((o, k) => spec(model.outputNames[k]!, o.shape, o.dtype)),
  };
  return {
    signature,
    run: async (inputs, outputs) => {
      const feeds = signature.inputs.map((s) => tf.tensor(inputs[s.name]!.data as never, inputs[s.name]!.shape, s.dtype as never));
      try {
        const result = model.predict(feeds.length === 1 ? feeds[0]! : feeds) as TfTensor | TfTensor[];
        const all = await collect(
          signature.outputs.map((o) => o.name),
          Array.isArray(result) ? result : [result],
        );
        return outputs ? Object.fromEntries(outputs.map((n) => [n, all[n]!])) : all;
      } catch (err) {
        throw new ServingError('INVALID_ARGUMENT', `the model refused the input: ${(err as Error).message}`);
      } finally {
        tf.dispose(feeds);
      }
    },
    close: async () => {
      model.dispose();
    },
  };
}

async function collect(names: readonly string[], tensors: TfTensor[]): Promise<NamedTensors> {
  const out: NamedTensors = {};
  try {
    for (let i = 0; i < names.length; i++) {
      const t = tensors[i]!;
      out[names[i]!] = { dtype: t.dtype as DType, shape: [...t.shape], data: (await t.data()) as never };
    }
  } finally {
    for (const t of tensors) t.dispose();
  }
  return out;
}
