/** The ai.onnx operators of a small dense network: MatMul of two matrices, Softmax, ArgMax. */
import { RefusedInput, requireTypes, rounder, sameFloatType, shapeText, Unsupported, type KernelFactory } from './kernel.js';
import { softmaxRow } from './classifier-shared.js';

/** [N, K] × [K, M], summed in double and rounded once per element (see linear-classifier.ts on why). */
export const matMul: KernelFactory = (_attrs, ctx) => {
  const dtype = sameFloatType('MatMul', ctx);
  const round = rounder(dtype);
  return {
    outputs: [dtype],
    run([a, b], memory) {
      if (a!.shape.length !== 2 || b!.shape.length !== 2 || a!.shape[1] !== b!.shape[0]) {
        throw new RefusedInput(`MatMul of ${shapeText(a!.shape)} and ${shapeText(b!.shape)}`);
      }
      const [n, k] = a!.shape as [number, number];
      const m = b!.shape[1]!;
      const x = a!.data as Float32Array;
      const w = b!.data as Float32Array;
      const out = memory.take(dtype as 'float32' | 'float64', n * m) as Float32Array | Float64Array;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < m; j++) {
          let sum = 0;
          for (let t = 0; t < k; t++) sum += x[i * k + t]! * w[t * m + j]!;
          out[i * m + j] = round(sum);
        }
      }
      return [{ dtype, shape: [n, m], data: out }];
    },
  };
};

/** Over the last axis of a matrix: the case where opset 13's and earlier opsets' Softmax agree. */
export const softmax: KernelFactory = (attrs, ctx) => {
  requireTypes('Softmax', ctx.inputTypes, ['float32']);
  const axis = attrs.int('axis', ctx.opset >= 13 ? -1 : 1);
  return {
    outputs: ['float32'],
    run([x], memory) {
      if (x!.shape.length !== 2 || (axis !== 1 && axis !== -1)) throw new RefusedInput(`Softmax on axis ${axis} of ${shapeText(x!.shape)}`);
      const [rows, n] = x!.shape as [number, number];
      const out = memory.take('float32', x!.data.length);
      out.set(x!.data as Float32Array);
      for (let r = 0; r < rows; r++) softmaxRow(out, r * n, n);
      return [{ dtype: 'float32', shape: [rows, n], data: out }];
    },
  };
};

/** The index of the first maximum along axis 1 of a matrix, as int64. */
export const argMax: KernelFactory = (attrs, ctx) => {
  requireTypes('ArgMax', ctx.inputTypes, ['float32', 'float64']);
  const axis = attrs.int('axis', 0);
  const keepDims = attrs.int('keepdims', 1) === 1;
  if (ctx.opset >= 12 && attrs.int('select_last_index', 0) !== 0) throw new Unsupported('ArgMax with select_last_index');
  return {
    outputs: ['int64'],
    run([x], memory) {
      if (x!.shape.length !== 2 || (axis !== 1 && axis !== -1)) throw new RefusedInput(`ArgMax on axis ${axis} of ${shapeText(x!.shape)}`);
      const [rows, n] = x!.shape as [number, number];
      const v = x!.data as Float32Array;
      const out = memory.take('int64', rows);
      for (let r = 0; r < rows; r++) {
        let best = 0;
        for (let c = 1; c < n; c++) if (v[r * n + c]! > v[r * n + best]!) best = c;
        out[r] = BigInt(best);
      }
      return [{ dtype: 'int64', shape: keepDims ? [rows, 1] : [rows], data: out }];
    },
  };
};
