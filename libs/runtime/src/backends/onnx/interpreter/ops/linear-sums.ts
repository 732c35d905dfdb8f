import { align16, WasmInstance, type BaseExports } from '../../../../wasm/wasm-instance.js';
import { LINEAR_SUMS_WASM } from './linear-sums.wasm.js';

/**
 * LinearClassifier's per-row sums (intercept + Σ feature × weight, per class) in WebAssembly
 * SIMD (libs/runtime/assembly/linear-sums.ts), or in the JS loop below: both add each sum's
 * terms in feature order, skipping zero features, in double, so they give the same sums to
 * the last bit, and which one ran never shows in an answer. 100 rows of 47 features and 5
 * classes: ~11 µs against ~38.
 */

interface Exports extends BaseExports {
  sums(x: number, rows: number, features: number, w: number, b: number, pairs: number, out: number): void;
}

/** Fewer rows than this are summed in JS: the copies in and out would cost more than the loop. */
const MIN_ROWS = 8;
/** The most memory a run may take in the module (which keeps it): larger runs are summed in JS. */
const MAX_BYTES = 4 << 20;

let shared: { wasm: WasmInstance<Exports>; weightsOf: LinearSums | undefined } | undefined;

export class LinearSums {
  /** Classes rounded up to pairs: the module adds two at a time. */
  private readonly pairs: number;
  /** Weights feature-major, `pairs` × 2 per feature, then the intercepts: as the module reads them. */
  private readonly packed: Float64Array;

  /** `byFeature`: the weights as [features, classes]. */
  constructor(
    private readonly byFeature: Float64Array,
    private readonly intercepts: Float64Array,
    private readonly classes: number,
    private readonly features: number,
  ) {
    this.pairs = Math.ceil(classes / 2);
    const stride = this.pairs * 2;
    this.packed = new Float64Array((features + 1) * stride);
    for (let f = 0; f < features; f++) for (let c = 0; c < classes; c++) this.packed[f * stride + c] = byFeature[f * classes + c]!;
    for (let c = 0; c < classes; c++) this.packed[features * stride + c] = intercepts[c]!;
  }

  /**
   * The sums of `rows` rows of `x`: `sums[r * stride + c]` for row r and class c. The array is
   * the caller's only until the next call (it may be the module's memory).
   */
  run(x: Float32Array | Float64Array, rows: number): { sums: Float64Array; stride: number } {
    const stride = this.pairs * 2;
    const weightBytes = this.packed.byteLength;
    const xBytes = align16(x.byteLength);
    const outBytes = rows * stride * 8;
    if (rows < MIN_ROWS || !(x instanceof Float32Array) || weightBytes + xBytes + outBytes > MAX_BYTES) return { sums: this.inJs(x, rows), stride: this.classes };
    shared ??= { wasm: new WasmInstance<Exports>(LINEAR_SUMS_WASM), weightsOf: undefined };
    const { wasm } = shared;
    const w = wasm.free;
    const at = w + weightBytes;
    const out = at + xBytes;
    wasm.ensure(out + outBytes);
    // The weights stay in the module's memory until another classifier's run replaces them.
    if (shared.weightsOf !== this) {
      wasm.doubles.set(this.packed, w >> 3);
      shared.weightsOf = this;
    }
    wasm.floats.set(x, at >> 2);
    wasm.exports.sums(at, rows, this.features, w, w + this.features * stride * 8, this.pairs, out);
    return { sums: wasm.doubles.subarray(out >> 3, (out >> 3) + rows * stride), stride };
  }

  private inJs(x: Float32Array | Float64Array, rows: number): Float64Array {
    const { classes, features, byFeature, intercepts } = this;
    const sums = new Float64Array(rows * classes);
    for (let r = 0; r < rows; r++) {
      const base = r * features;
      const at = r * classes;
      sums.set(intercepts, at);
      for (let f = 0; f < features; f++) {
        const v = x[base + f]!;
        // Most of a one-hot block is zero: it adds nothing to any sum.
        if (v === 0) continue;
        const w = f * classes;
        for (let c = 0; c < classes; c++) sums[at + c] = sums[at + c]! + v * byFeature[w + c]!;
      }
    }
    return sums;
  }
}
