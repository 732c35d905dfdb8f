/**
 * The ai.onnx.ml feature transforms scikit-learn pipelines export to: Imputer, Scaler,
 * OneHotEncoder (https://onnx.ai/onnx/operators/ → ai.onnx.ml). Only the float and string
 * forms are implemented; any other is refused at compile time and run by onnxruntime.
 */
import { type Tensor } from '../../../../tensor/tensor.js';
import { RefusedInput, requireTypes, shapeText, Unsupported, type KernelFactory } from './kernel.js';

/**
 * Per-column parameters (one value for all columns, or one per column) against a [N, C]
 * or [C] input, as one value per column.
 */
function perColumn(op: string, values: Float32Array, x: Tensor): Float32Array {
  if (x.shape.length > 2) throw new RefusedInput(`${op} takes a [N, C] tensor, not ${shapeText(x.shape)}`);
  const columns = x.shape[x.shape.length - 1] ?? 0;
  if (values.length === 1) return new Float32Array(columns).fill(values[0]!);
  if (columns !== values.length) throw new RefusedInput(`${op} has ${values.length} columns' parameters, the input has ${columns} columns`);
  return values;
}

export const imputer: KernelFactory = (attrs, ctx) => {
  requireTypes('Imputer', ctx.inputTypes, ['float32']);
  const imputed = attrs.floats('imputed_value_floats');
  const replaced = attrs.float('replaced_value_float', 0);
  if (attrs.ints('imputed_value_int64s').length > 0) throw new Unsupported('Imputer of int64 values');
  attrs.int('replaced_value_int64', 0);
  if (imputed.length === 0) throw new Unsupported('Imputer without imputed_value_floats');
  const imputedF32 = Float32Array.from(imputed);
  const nanIsMissing = Number.isNaN(replaced);
  return {
    outputs: ['float32'],
    run([x], memory) {
      const value = perColumn('Imputer', imputedF32, x!);
      const columns = value.length;
      const src = x!.data as Float32Array;
      const out = memory.take('float32', src.length);
      out.set(src);
      // One loop per meaning of "missing", so neither tests it per value.
      if (nanIsMissing) {
        for (let i = 0; i < src.length; i++) if (src[i] !== src[i]) out[i] = value[i % columns]!;
      } else {
        for (let i = 0; i < src.length; i++) if (src[i] === replaced) out[i] = value[i % columns]!;
      }
      return [{ dtype: 'float32', shape: x!.shape, data: out }];
    },
  };
};

export const scaler: KernelFactory = (attrs, ctx) => {
  requireTypes('Scaler', ctx.inputTypes, ['float32']);
  const offset = Float32Array.from(attrs.floats('offset'));
  const scale = Float32Array.from(attrs.floats('scale'));
  if (offset.length === 0 || scale.length === 0) throw new Unsupported('Scaler without offset or scale');
  return {
    outputs: ['float32'],
    run([x], memory) {
      const o = perColumn('Scaler', offset, x!);
      const s = perColumn('Scaler', scale, x!);
      const columns = o.length;
      const src = x!.data as Float32Array;
      const out = memory.take('float32', src.length);
      // (x - offset) * scale, each step in float32 as onnxruntime computes it.
      for (let i = 0, c = 0; i < src.length; i++, c = c + 1 === columns ? 0 : c + 1) out[i] = Math.fround(src[i]! - o[c]!) * s[c]!;
      return [{ dtype: 'float32', shape: x!.shape, data: out }];
    },
  };
};

export const oneHotEncoder: KernelFactory = (attrs, ctx) => {
  const strings = attrs.strings('cats_strings');
  const ints = attrs.ints('cats_int64s');
  const zeros = attrs.int('zeros', 1) === 1;
  const type = ctx.inputTypes[0];
  let index: Map<string | bigint, number>;
  if (type === 'string' && strings.length > 0) index = new Map(strings.map((c, i) => [c, i]));
  else if (type === 'int64' && ints.length > 0) index = new Map(ints.map((c, i) => [c, i]));
  else throw new Unsupported(`OneHotEncoder of ${type} values with ${strings.length > 0 ? 'string' : 'int64'} categories`);
  const categories = index.size;
  return {
    outputs: ['float32'],
    run([x], memory) {
      const src = x!.data as ArrayLike<string | bigint>;
      const out = memory.take('float32', src.length * categories);
      for (let i = 0; i < src.length; i++) {
        const c = index.get(src[i]!);
        if (c !== undefined) out[i * categories + c] = 1;
        else if (!zeros) throw new RefusedInput(`"${String(src[i])}" is not one of the ${categories} categories the model was trained on`);
      }
      return [{ dtype: 'float32', shape: [...x!.shape, categories], data: out }];
    },
  };
};
