/** Operators that move values without computing: Concat, Reshape, Identity. */
import { allocate, elementCount, type Tensor } from '../../../../tensor/tensor.js';
import { RefusedInput, shapeText, Unsupported, type KernelFactory } from './kernel.js';

export const concat: KernelFactory = (attrs, ctx) => {
  const axisAttr = attrs.int('axis');
  const dtype = ctx.inputTypes[0]!;
  if (ctx.inputTypes.some((t) => t !== dtype)) throw new Unsupported('Concat of mixed dtypes');
  return {
    outputs: [dtype],
    run(inputs, memory) {
      const parts = inputs as Tensor[];
      const rank = parts[0]!.shape.length;
      const axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
      if (axis < 0 || axis >= rank) throw new RefusedInput(`Concat axis ${axisAttr} does not exist for rank ${rank}`);
      const first = parts[0]!.shape;
      const shape = first.slice();
      shape[axis] = 0;
      for (const p of parts) {
        let fits = p.shape.length === rank;
        for (let i = 0; fits && i < rank; i++) fits = i === axis || p.shape[i] === first[i];
        if (!fits) throw new RefusedInput(`inputs of shapes ${shapeText(first)} and ${shapeText(p.shape)} cannot be joined on axis ${axis}`);
        shape[axis] += p.shape[axis]!;
      }
      let outer = 1;
      for (let i = 0; i < axis; i++) outer *= shape[i]!;
      const out = dtype === 'string' ? allocate(dtype, elementCount(shape)) : memory.take(dtype, elementCount(shape));
      if (dtype === 'string') copyBlocks(parts, outer, out as string[]);
      else copyBlocks(parts, outer, out as Float32Array);
      return [{ dtype, shape, data: out }];
    },
  };
};

export const reshape: KernelFactory = (attrs, ctx) => {
  const allowZero = ctx.opset >= 14 ? attrs.int('allowzero', 0) === 1 : false;
  if (ctx.inputTypes[1] !== 'int64') throw new Unsupported('Reshape with a shape that is not int64');
  // A shape given as an initializer (what exporters write) is read once, not per request.
  const fixed = ctx.constant(1);
  const fixedShape = fixed ? Array.from(fixed.data as BigInt64Array, Number) : undefined;
  return {
    outputs: [ctx.inputTypes[0]!],
    run([data, target]) {
      const source = data!;
      const asked = fixedShape ?? Array.from(target!.data as BigInt64Array, Number);
      const shape = new Array<number>(asked.length);
      let unknown = -1;
      let known = 1;
      for (let i = 0; i < asked.length; i++) {
        let d = asked[i]!;
        if (d === 0 && !allowZero) d = source.shape[i] ?? 0;
        if (d === -1) {
          if (unknown >= 0) throw new RefusedInput('Reshape with two -1 dimensions');
          unknown = i;
        } else known *= d;
        shape[i] = d;
      }
      const count = source.data.length;
      if (unknown >= 0) {
        if (known === 0 || count % known !== 0) throw new RefusedInput(`a tensor of shape ${shapeText(source.shape)} cannot be reshaped to ${shapeText(asked)}`);
        shape[unknown] = count / known;
      } else if (known !== count) throw new RefusedInput(`a tensor of shape ${shapeText(source.shape)} cannot be reshaped to ${shapeText(asked)}`);
      // Kernels never write into their inputs, so the data can be shared.
      return [{ dtype: source.dtype, shape, data: source.data }];
    },
  };
};

export const identity: KernelFactory = (_attrs, ctx) => ({
  outputs: [ctx.inputTypes[0]!],
  run: ([x]) => [x!],
});

/**
 * Concat's copy: for each index before the axis, each part's block after it in turn. Kept
 * generic over the storage so V8 compiles one loop for strings and one per typed array.
 */
function copyBlocks<T extends { [i: number]: unknown; length: number }>(parts: readonly Tensor[], outer: number, out: T): void {
  if (outer === 0) return;
  let o = 0;
  for (let k = 0; k < parts.length; k++) {
    const src = parts[k]!.data as unknown as T;
    const inner = src.length / outer;
    // Scattered part by part: for the usual [N, 1] columns this writes a stride of one part per row.
    const stride = out.length / outer;
    if (inner === 1) {
      for (let row = 0, to = o; row < outer; row++, to += stride) out[to] = src[row];
    } else {
      for (let row = 0; row < outer; row++) {
        const from = row * inner;
        const to = row * stride + o;
        for (let j = 0; j < inner; j++) out[to + j] = src[from + j];
      }
    }
    o += inner;
  }
}
