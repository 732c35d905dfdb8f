import * as ort from 'onnxruntime-node';

export interface SignatureEntry {
  name: string;
  dtype: string;
  shape: number[];
}

const SUPPORTED = new Set(['float32', 'float64', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool', 'string']);

/** Inputs and outputs as the model declares them, read by onnxruntime itself. */
export async function readOnnxSignature(model: Uint8Array): Promise<{ inputs: SignatureEntry[]; outputs: SignatureEntry[] }> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(model);
  } catch (err) {
    throw new Error(`onnxruntime cannot load the model: ${(err as Error).message}`);
  }
  try {
    const entry = (m: ort.InferenceSession.ValueMetadata): SignatureEntry => {
      if (!m.isTensor) throw new Error(`"${m.name}" is not a tensor (export classifiers without ZipMap: options={"zipmap": False})`);
      if (!SUPPORTED.has(m.type)) throw new Error(`"${m.name}" has type ${m.type}, which modelyard cannot serve`);
      return { name: m.name, dtype: m.type, shape: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) };
    };
    return { inputs: session.inputMetadata.map(entry), outputs: session.outputMetadata.map(entry) };
  } finally {
    await session.release();
  }
}
