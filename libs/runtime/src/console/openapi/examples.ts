import { recordTable } from '../../features/record-table.js';
import { recordsToTensors } from '../../features/records-to-tensors.js';
import { v2Datatype } from '../../protocols/v2/datatypes.js';
import { valueAt, type Tensor } from '../../tensor/tensor.js';
import type { ModelFacts } from './model-facts.js';

/**
 * Example requests built from one record of the model's own reference data. The tensor
 * protocols' examples go through the runtime's real feature stage (records → tensors), so
 * they hold exactly what /get_score would feed the model.
 */

type Json = number | string | boolean | Json[] | { [k: string]: Json };

/** The shortest decimal that reads back as the same float32 (39.1, not 39.099998474121094). */
function shortFloat32(v: number): number {
  if (!Number.isFinite(v)) return v;
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(v.toPrecision(digits));
    if (Math.fround(candidate) === v) return candidate;
  }
  return v;
}

function element(t: Tensor, i: number): Json {
  const v = valueAt(t, i);
  if (typeof v === 'bigint') return Number(v);
  return t.dtype === 'float32' && typeof v === 'number' ? shortFloat32(v) : v;
}

/** Row 0 of a tensor as nested lists, without the batch dimension (a [N, 1] input gives [x]). */
function row0(t: Tensor): Json {
  const inner = t.shape.slice(1);
  const build = (depth: number, offset: number): Json => {
    if (depth === inner.length) return element(t, offset);
    const stride = inner.slice(depth + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: inner[depth]! }, (_, i) => build(depth + 1, offset + i * stride));
  };
  return build(0, 0);
}

export interface Examples {
  /** Where the record came from, for the docs' example description. */
  source: string;
  getScore: { data: Record<string, unknown>[] };
  predict: { instances: Json[] };
  infer: { inputs: { name: string; shape: number[]; datatype: string; data: Json[] }[] };
  /** tf.Example-style features: the record itself. */
  classify: { examples: Record<string, unknown>[] };
}

export function buildExamples(facts: ModelFacts): Examples | undefined {
  if (!facts.example || !facts.signature) return undefined;
  const { record } = facts.example;
  let tensors;
  try {
    tensors = recordsToTensors(recordTable([record]), facts.signature, facts.model.config.inputs ?? []);
  } catch {
    // A reference written for another signature cannot make a working example.
    return undefined;
  }
  const inputs = facts.signature.inputs.map((spec) => ({ spec, tensor: tensors[spec.name]! }));
  const instance: Json = inputs.length === 1 ? row0(inputs[0]!.tensor) : Object.fromEntries(inputs.map(({ spec, tensor }) => [spec.name, row0(tensor)]));
  return {
    source: `record ${facts.example.index} of models/${facts.example.file}`,
    getScore: { data: [record] },
    predict: { instances: [instance] },
    infer: {
      inputs: inputs.map(({ spec, tensor }) => ({
        name: spec.name,
        shape: tensor.shape,
        datatype: v2Datatype(spec.dtype),
        data: Array.from({ length: tensor.data.length }, (_, i) => element(tensor, i)),
      })),
    },
    classify: { examples: [record] },
  };
}
