/** The score transforms of ai.onnx.ml classifiers and of Softmax, step by step in float32 as onnxruntime computes them. */

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
