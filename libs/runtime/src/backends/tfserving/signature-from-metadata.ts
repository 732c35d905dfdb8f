import { ServingError } from '../../errors.js';
import { DTYPES, type DType, type Signature, type TensorSpec } from '../../tensor/tensor.js';
import { TF_DTYPES } from '../../protocols/tfserving/dtype-names.js';

const FROM_TF = new Map(DTYPES.map((d) => [TF_DTYPES[d].enum, d] as [string, DType]));

interface TensorInfo {
  dtype: string;
  tensor_shape?: { dim?: { size: string }[]; unknown_rank?: boolean };
}

function spec(alias: string, info: TensorInfo): TensorSpec {
  const dtype = FROM_TF.get(info.dtype);
  if (!dtype) throw new ServingError('FAILED_PRECONDITION', `graph service tensor "${alias}" has type ${info.dtype}, which modelyard cannot serve`);
  const shape = info.tensor_shape?.unknown_rank || !info.tensor_shape?.dim ? null : info.tensor_shape.dim.map((d) => Number(d.size));
  return { name: alias, dtype, shape };
}

/** The serving_default signature from TF Serving's GetModelMetadata JSON. */
export function signatureFromMetadata(metadata: unknown, signatureName = 'serving_default'): Signature {
  const defs = (metadata as { metadata?: { signature_def?: { signature_def?: Record<string, { inputs: Record<string, TensorInfo>; outputs: Record<string, TensorInfo> }> } } })
    .metadata?.signature_def?.signature_def;
  const def = defs?.[signatureName];
  if (!def) throw new ServingError('FAILED_PRECONDITION', `the graph service has no "${signatureName}" signature (it has: ${Object.keys(defs ?? {}).join(', ') || 'none'})`);
  return {
    inputs: Object.entries(def.inputs).map(([alias, info]) => spec(alias, info)),
    outputs: Object.entries(def.outputs).map(([alias, info]) => spec(alias, info)),
  };
}
