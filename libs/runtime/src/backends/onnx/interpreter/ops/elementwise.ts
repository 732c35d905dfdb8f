/**
 * Arithmetic on floating-point tensors: Add, Sub, Mul, Div with numpy broadcasting, Relu, and
 * Cast between float32 and float64. float32 results are computed in double and rounded once:
 * for one +, -, * or / of two float32 values that equals float32 arithmetic exactly.
 */
import { elementCount, type DType } from '../../../../tensor/tensor.js';
import { RefusedInput, requireTypes, rounder, sameFloatType, shapeText, Unsupported, type KernelFactory } from './kernel.js';

const FLOATS: readonly DType[] = ['float32', 'float64'];

function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new RefusedInput(`shapes ${shapeText(a)} and ${shapeText(b)} do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** For each output element, the index of the input element it reads (numpy broadcasting). */
function indexer(shape: readonly number[], out: readonly number[]): (i: number) => number {
  const size = elementCount(shape);
  if (size === elementCount(out)) return (i) => i;
  if (size === 1) return () => 0;
  // The common case: a row vector against a matrix, i.e. the input's dims are the output's trailing dims.
  const trailing = shape.every((d, k) => d === out[out.length - shape.length + k]);
  if (trailing) return (i) => i % size;
  const rank = out.length;
  const padded = [...new Array<number>(rank - shape.length).fill(1), ...shape];
  const strides = new Array<number>(rank);
  let s = 1;
  for (let k = rank - 1; k >= 0; k--) {
    strides[k] = padded[k] === 1 ? 0 : s;
    s *= padded[k]!;
  }
  return (i) => {
    let index = 0;
    for (let k = rank - 1; k >= 0; k--) {
      const d = out[k]!;
      index += (i % d) * strides[k]!;
      i = Math.floor(i / d);
    }
    return index;
  };
}

function binary(op: (a: number, b: number) => number): KernelFactory {
  return (_attrs, ctx) => {
    const dtype = sameFloatType('arithmetic', ctx);
    const round = rounder(dtype);
    return {
      outputs: [dtype],
      run([a, b], memory) {
        const shape = broadcastShape(a!.shape, b!.shape);
        const n = elementCount(shape);
        const ia = indexer(a!.shape, shape);
        const ib = indexer(b!.shape, shape);
        const x = a!.data as Float32Array;
        const y = b!.data as Float32Array;
        const out = memory.take(dtype as 'float32', n);
        for (let i = 0; i < n; i++) out[i] = round(op(x[ia(i)]!, y[ib(i)]!));
        return [{ dtype, shape, data: out }];
      },
    };
  };
}

export const add = binary((a, b) => a + b);
export const sub = binary((a, b) => a - b);
export const mul = binary((a, b) => a * b);
export const div = binary((a, b) => a / b);

export const relu: KernelFactory = (_attrs, ctx) => {
  requireTypes('Relu', ctx.inputTypes, FLOATS);
  const dtype = ctx.inputTypes[0]!;
  return {
    outputs: [dtype],
    run([x], memory) {
      const src = x!.data as Float32Array;
      const out = memory.take(dtype as 'float32', src.length);
      // NaN stays NaN, as in onnxruntime.
      for (let i = 0; i < src.length; i++) out[i] = src[i]! < 0 ? 0 : src[i]!;
      return [{ dtype, shape: x!.shape, data: out }];
    },
  };
};

const CAST_TARGETS: Record<number, DType> = { 1: 'float32', 11: 'float64' };

export const cast: KernelFactory = (attrs, ctx) => {
  requireTypes('Cast', ctx.inputTypes, FLOATS);
  const to = CAST_TARGETS[attrs.int('to')];
  if (!to) throw new Unsupported(`Cast to element type ${attrs.int('to')}`);
  // `saturate` (opset 19) only concerns float8 targets.
  if (ctx.opset >= 19) attrs.int('saturate', 1);
  return {
    outputs: [to],
    run([x], memory) {
      const src = x!.data as Float32Array;
      const out = memory.take(to as 'float32', src.length);
      // Float32Array's own conversion rounds to nearest, as a C++ static_cast<float> does.
      for (let i = 0; i < src.length; i++) out[i] = src[i]!;
      return [{ dtype: to, shape: x!.shape, data: out }];
    },
  };
};

