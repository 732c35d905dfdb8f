import ort from 'onnxruntime-node';
import { DTYPES, type DType, type NamedTensors, type Signature, type TensorSpec } from '../../tensor/tensor.js';

/** Wraps our tensors as onnxruntime tensors; the data buffers are shared, not copied. */
export function toOrtFeeds(inputs: NamedTensors): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(inputs)) {
    feeds[name] = new ort.Tensor(t.dtype, t.data as never, t.shape);
  }
  return feeds;
}

export function fromOrtResults(results: ort.InferenceSession.OnnxValueMapType): NamedTensors {
  const out: NamedTensors = {};
  for (const [name, value] of Object.entries(results)) {
    const dtype = value.type as DType;
    if (!DTYPES.includes(dtype)) throw new Error(`output "${name}" has type ${value.type}, which modelyard cannot return`);
    out[name] = { dtype, shape: [...value.dims], data: value.data as never };
  }
  return out;
}

function specOf(meta: ort.InferenceSession.ValueMetadata): TensorSpec {
  if (!meta.isTensor) throw new Error(`"${meta.name}" is not a tensor (sequences and maps are not served; export with zipmap=False)`);
  if (!DTYPES.includes(meta.type as DType)) throw new Error(`"${meta.name}" has type ${meta.type}, which modelyard cannot serve`);
  // Symbolic dimensions ("N", "batch_size") are free: -1, as TF signatures write them.
  const shape = meta.shape.length === 0 ? null : meta.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1));
  return { name: meta.name, dtype: meta.type as DType, shape };
}

/** The model's signature, read from the ONNX graph itself. */
export function signatureOf(session: ort.InferenceSession): Signature {
  return { inputs: session.inputMetadata.map(specOf), outputs: session.outputMetadata.map(specOf) };
}

/** One run, our tensors in and out; shared by the inline backend and the session workers. */
export async function runSession(session: ort.InferenceSession, inputs: NamedTensors, outputs?: readonly string[]): Promise<NamedTensors> {
  const feeds = toOrtFeeds(inputs);
  const results = outputs ? await session.run(feeds, [...outputs]) : await session.run(feeds);
  return fromOrtResults(results);
}
