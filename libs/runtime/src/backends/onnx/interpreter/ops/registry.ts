/**
 * The operators the interpreter runs, by domain and name, with the opsets whose semantics
 * each implements. Anything else in a graph sends the model to onnxruntime.
 */
import type { KernelFactory } from './kernel.js';
import { add, cast, div, mul, relu, sub } from './elementwise.js';
import { linearClassifier } from './linear-classifier.js';
import { imputer, oneHotEncoder, scaler } from './ml-preprocessing.js';
import { argMax, matMul, softmax } from './neural.js';
import { concat, identity, reshape } from './shape-ops.js';

interface Registration {
  factory: KernelFactory;
  /** The opsets of its domain this implementation is faithful to, inclusive. */
  opsets: [number, number];
}

/** ai.onnx opsets 7–21 share these operators' semantics for float tensors (Softmax's change at 13 is handled in it). */
const ONNX: [number, number] = [7, 21];
/** ai.onnx.ml: these operators have had one version since opset 1. */
const ML: [number, number] = [1, 5];

const OPERATORS: Record<string, Registration> = {
  ':Add': { factory: add, opsets: ONNX },
  ':Sub': { factory: sub, opsets: ONNX },
  ':Mul': { factory: mul, opsets: ONNX },
  ':Div': { factory: div, opsets: ONNX },
  ':Relu': { factory: relu, opsets: ONNX },
  ':Cast': { factory: cast, opsets: ONNX },
  ':Concat': { factory: concat, opsets: [11, 21] },
  ':Reshape': { factory: reshape, opsets: [5, 21] },
  ':Identity': { factory: identity, opsets: [1, 21] },
  ':MatMul': { factory: matMul, opsets: ONNX },
  ':Softmax': { factory: softmax, opsets: ONNX },
  ':ArgMax': { factory: argMax, opsets: ONNX },
  'ai.onnx.ml:Imputer': { factory: imputer, opsets: ML },
  'ai.onnx.ml:Scaler': { factory: scaler, opsets: ML },
  'ai.onnx.ml:OneHotEncoder': { factory: oneHotEncoder, opsets: ML },
  'ai.onnx.ml:LinearClassifier': { factory: linearClassifier, opsets: ML },
};

export function operator(domain: string, opType: string, opset: number): KernelFactory {
  const found = OPERATORS[`${domain}:${opType}`];
  const name = domain ? `${domain}.${opType}` : opType;
  if (!found) throw new UnsupportedOperator(`operator ${name}`);
  if (opset < found.opsets[0] || opset > found.opsets[1]) throw new UnsupportedOperator(`operator ${name} at opset ${opset}`);
  return found.factory;
}

export class UnsupportedOperator extends Error {}

export const INTERPRETED_OPERATORS = Object.keys(OPERATORS).map((k) => k.replace(/^:/, '').replace(':', '.'));
