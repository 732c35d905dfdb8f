/**
 * The operators the interpreter runs, by domain and name, with the opsets whose semantics
 * each implements. Anything else in a graph sends the model to onnxruntime.
 */
import { Unsupported, type KernelFactory } from './kernel.js';
import { add, cast, div, mul, relu, sub } from './elementwise.js';
import { linearClassifier } from './linear-classifier.js';
import { imputer, oneHotEncoder, scaler } from './ml-preprocessing.js';
import { argMax, matMul, softmax } from './neural.js';
import { concat, identity, reshape } from './shape-ops.js';
import { treeEnsembleClassifier } from './tree-ensemble-classifier.js';

interface Registration {
  factory: KernelFactory;
  /** The opsets of its domain this implementation is faithful to, inclusive. */
  opsets: [number, number];
}

/** ai.onnx opsets 7–21 share these operators' semantics for float tensors (Softmax's change at 13 is handled in it). */
const ONNX: [number, number] = [7, 21];
/** ai.onnx.ml: these operators' semantics have not changed from opset 1 to 5 (TreeEnsembleClassifier's opset 3 only added *_as_tensor attributes, refused by it). */
const ML: [number, number] = [1, 5];

/** Each operator of `domain` in `ops` implemented for the opsets `opsets`. */
const group = (domain: string, opsets: [number, number], ops: Record<string, KernelFactory>) =>
  Object.entries(ops).map(([name, factory]): [string, Registration] => [`${domain}:${name}`, { factory, opsets }]);

const OPERATORS: Record<string, Registration> = Object.fromEntries([
  ...group('', ONNX, { Add: add, Sub: sub, Mul: mul, Div: div, Relu: relu, Cast: cast, MatMul: matMul, Softmax: softmax, ArgMax: argMax }),
  ...group('', [11, 21], { Concat: concat }),
  ...group('', [5, 21], { Reshape: reshape }),
  ...group('', [1, 21], { Identity: identity }),
  ...group('ai.onnx.ml', ML, { Imputer: imputer, Scaler: scaler, OneHotEncoder: oneHotEncoder, LinearClassifier: linearClassifier, TreeEnsembleClassifier: treeEnsembleClassifier }),
]);

export function operator(domain: string, opType: string, opset: number): KernelFactory {
  const found = OPERATORS[`${domain}:${opType}`];
  const name = domain ? `${domain}.${opType}` : opType;
  if (!found) throw new Unsupported(`operator ${name}`);
  if (opset < found.opsets[0] || opset > found.opsets[1]) throw new Unsupported(`operator ${name} at opset ${opset}`);
  return found.factory;
}
