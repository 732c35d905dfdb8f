import type { Signature, TensorSpec } from '../../tensor/tensor.js';
import { TF_DTYPES } from './dtype-names.js';

function tensorInfo(spec: TensorSpec) {
  return {
    dtype: TF_DTYPES[spec.dtype].enum,
    tensor_shape: spec.shape ? { dim: spec.shape.map((d) => ({ size: String(d), name: '' })), unknown_rank: false } : { dim: [], unknown_rank: true },
    name: spec.name,
  };
}

/** GetModelMetadataResponse JSON, exactly TF Serving's shape (signature_def twice). */
export function encodeMetadata(model: string, version: number, signature: Signature): string {
  const map = (specs: readonly TensorSpec[]) => Object.fromEntries(specs.map((s) => [s.name, tensorInfo(s)]));
  return JSON.stringify({
    model_spec: { name: model, signature_name: '', version: String(version) },
    metadata: {
      signature_def: {
        signature_def: {
          serving_default: {
            inputs: map(signature.inputs),
            outputs: map(signature.outputs),
            method_name: 'tensorflow/serving/predict',
            defaults: {},
          },
        },
      },
    },
  });
}
