/**
 * ai.onnx.ml LinearClassifier: scores = X · coefficientsᵀ + intercepts, the label of the
 * highest score, then the post transform on the scores. The binary form (one score s, two
 * labels: what a binary LogisticRegression exports to) answers as onnxruntime does: the second
 * label when s > 0, and the scores [1 - p, p] with p = logistic(s) under LOGISTIC, else p = s
 * (onnxruntime applies no softmax to one score). Sums run in double and are rounded to float32 once: closer to the exact
 * score than onnxruntime's float32 GEMM, from which it can differ by a few float32 ulps
 * (more where the terms cancel). Summing in float32 term by term agreed to 1 ulp but cost a
 * third more time for 100 rows.
 */
import { RefusedInput, requireTypes, shapeText, Unsupported, type KernelFactory } from './kernel.js';
import { classifierOutputs, classLabels, logistic, postTransform, rowsAndFeatures, transformRow } from './classifier-shared.js';
import { LinearSums } from './linear-sums.js';

export const linearClassifier: KernelFactory = (attrs, ctx) => {
  requireTypes('LinearClassifier', ctx.inputTypes, ['float32', 'float64']);
  const coefficients = Float64Array.from(attrs.floats('coefficients'), Math.fround);
  const intercepts = Float64Array.from(attrs.floats('intercepts'), Math.fround);
  const { labels, byStrings } = classLabels(attrs, 'classlabels_ints');
  const transform = postTransform('LinearClassifier', attrs.string('post_transform', 'NONE'));
  // multi_class does not change what onnxruntime computes.
  attrs.int('multi_class', 0);
  const classes = intercepts.length;
  const binary = classes === 1;
  if (binary ? labels.length !== 2 : labels.length !== classes) throw new Unsupported(`LinearClassifier with ${labels.length} labels for ${classes} score(s)`);
  if (coefficients.length % classes !== 0) throw new Unsupported('LinearClassifier coefficients that are not classes × features');
  const features = coefficients.length / classes;
  // Transposed to [features, classes], so that one feature's weights for every class sit together.
  const byFeature = new Float64Array(coefficients.length);
  for (let c = 0; c < classes; c++) for (let f = 0; f < features; f++) byFeature[f * classes + c] = coefficients[c * features + f]!;
  const linear = new LinearSums(byFeature, intercepts, classes, features);
  return {
    outputs: [byStrings ? 'string' : 'int64', 'float32'],
    run([x], memory, wanted) {
      // Labels come from the raw scores; the transform only changes the scores output.
      const withScores = wanted[1] !== false;
      const size = rowsAndFeatures(x!.shape);
      if (!size || size.width !== features) throw new RefusedInput(`LinearClassifier takes [N, ${features}] features, not ${shapeText(x!.shape)}`);
      const { rows } = size;
      const outputs = binary ? 2 : classes;
      const scores = memory.take('float32', rows * outputs);
      const out: (string | bigint)[] = new Array(rows);
      const { sums, stride } = linear.run(x!.data as Float32Array | Float64Array, rows);
      for (let r = 0, at = 0; r < rows; r++, at += stride) {
        if (binary) {
          const score = Math.fround(sums[at]!);
          out[r] = labels[score > 0 ? 1 : 0]!;
          if (!withScores) continue;
          const p = transform === 'LOGISTIC' ? logistic(score) : score;
          scores[r * 2] = 1 - p;
          scores[r * 2 + 1] = p;
          continue;
        }
        let best = 0;
        for (let c = 0; c < classes; c++) {
          const score = Math.fround(sums[at + c]!);
          scores[r * classes + c] = score;
          // The first of equal highest scores, as onnxruntime picks.
          if (score > scores[r * classes + best]!) best = c;
        }
        out[r] = labels[best]!;
        if (withScores) transformRow(transform, scores, r * classes, classes);
      }
      return classifierOutputs(out, byStrings, scores, outputs, withScores);
    },
  };
};
