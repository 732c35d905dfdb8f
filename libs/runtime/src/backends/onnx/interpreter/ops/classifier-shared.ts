/**
 * What ai.onnx.ml classifiers share: the score transforms (and Softmax's), step by step in
 * float32 as onnxruntime computes them, and the label and score outputs.
 */
import type { Tensor } from '../../../../tensor/tensor.js';
import { Unsupported, type NodeAttributes } from './kernel.js';

/** The post transforms implemented; PROBIT and SOFTMAX_ZERO are left to onnxruntime. */
export type PostTransform = 'NONE' | 'SOFTMAX' | 'LOGISTIC';

export function postTransform(op: string, name: string): PostTransform {
  if (name !== 'NONE' && name !== 'SOFTMAX' && name !== 'LOGISTIC') throw new Unsupported(`${op} post_transform ${name}`);
  return name;
}

/** The post transform on the `n` scores of one row, from `at`, in place. */
export function transformRow(transform: PostTransform, scores: Float32Array, at: number, n: number): void {
  if (transform === 'SOFTMAX') softmaxRow(scores, at, n);
  else if (transform === 'LOGISTIC') for (let i = at; i < at + n; i++) scores[i] = logistic(scores[i]!);
}

/**
 * A classifier's two outputs: each row's label (strings or int64) and the [rows, classes]
 * scores, left out when the run does not read them (`withScores`).
 */
export function classifierOutputs(labels: (string | bigint)[], byStrings: boolean, scores: Float32Array, classes: number, withScores: boolean): (Tensor | undefined)[] {
  const rows = labels.length;
  const label: Tensor = byStrings ? { dtype: 'string', shape: [rows], data: labels as string[] } : { dtype: 'int64', shape: [rows], data: BigInt64Array.from(labels as bigint[]) };
  return [label, withScores ? { dtype: 'float32', shape: [rows, classes], data: scores } : undefined];
}

/** Softmax over `n` values of `v` from `at`, in place: shifted by the maximum, so exp never overflows. */
export function softmaxRow(v: Float32Array, at: number, n: number): void {
  let max = -Infinity;
  for (let i = at; i < at + n; i++) if (v[i]! > max) max = v[i]!;
  let sum = 0;
  for (let i = at; i < at + n; i++) {
    v[i] = Math.exp(Math.fround(v[i]! - max));
    sum = Math.fround(sum + v[i]!);
  }
  for (let i = at; i < at + n; i++) v[i] = v[i]! / sum;
}

export function logistic(x: number): number {
  const v = Math.fround(1 / Math.fround(1 + Math.fround(Math.exp(-Math.abs(x)))));
  return x < 0 ? Math.fround(1 - v) : v;
}

/** A classifier's labels: strings when the node lists them, else integers (`intsName`: the attribute's name differs by operator). */
export function classLabels(attrs: NodeAttributes, intsName: string): { labels: readonly (string | bigint)[]; byStrings: boolean } {
  const strings = attrs.strings('classlabels_strings');
  const ints = attrs.ints(intsName);
  return strings.length > 0 ? { labels: strings, byStrings: true } : { labels: ints, byStrings: false };
}

/** Rows and features of a classifier's input: [N, F], or [F] as one row (as onnxruntime reads it); undefined for another rank. */
export function rowsAndFeatures(shape: readonly number[]): { rows: number; width: number } | undefined {
  if (shape.length === 2) return { rows: shape[0]!, width: shape[1]! };
  return shape.length === 1 ? { rows: 1, width: shape[0]! } : undefined;
}
