import { describe, expect, it } from 'vitest';
import { LinearSums } from './linear-sums.js';
import { seededRandom } from '../../../../testing/seeded-random.js';

/** Weights and inputs like a scikit-learn pipeline's: float32 values, a one-hot block of mostly zeros, and exact zeros among the numbers. */
function model(seed: number, classes: number, features: number) {
  const next = seededRandom(seed);
  const byFeature = Float64Array.from({ length: classes * features }, () => Math.fround(next() * 4 - 2));
  const intercepts = Float64Array.from({ length: classes }, () => Math.fround(next() - 0.5));
  const rowsOf = (rows: number) =>
    Float32Array.from({ length: rows * features }, (_, i) => (i % features >= features - 6 ? (next() < 0.2 ? 1 : 0) : next() < 0.1 ? 0 : (next() - 0.5) * 10 ** Math.floor(next() * 6 - 3)));
  return { sums: new LinearSums(byFeature, intercepts, classes, features), byFeature, intercepts, rowsOf };
}

/** Each row's sums computed by hand, in the same order: the reference both paths must match to the bit. */
function reference(x: Float32Array, rows: number, byFeature: Float64Array, intercepts: Float64Array, classes: number, features: number): number[][] {
  return Array.from({ length: rows }, (_, r) =>
    Array.from({ length: classes }, (_, c) => {
      let s = intercepts[c]!;
      for (let f = 0; f < features; f++) if (x[r * features + f] !== 0) s += x[r * features + f]! * byFeature[f * classes + c]!;
      return s;
    }),
  );
}

const rowsOfSums = ({ sums, stride }: { sums: Float64Array; stride: number }, rows: number, classes: number) =>
  Array.from({ length: rows }, (_, r) => Array.from(sums.subarray(r * stride, r * stride + classes)));

describe('LinearSums', () => {
  it.each([
    [5, 47, 100],
    [3, 9, 8],
    [1, 12, 40],
    [4, 1, 33],
    [7, 30, 3],
  ])('%i class(es), %i features, %i rows: the same sums to the bit as the reference loop, in WebAssembly or JS', (classes, features, rows) => {
    const m = model(classes * 1000 + features, classes, features);
    const x = m.rowsOf(rows);
    expect(rowsOfSums(m.sums.run(x, rows), rows, classes)).toStrictEqual(reference(x, rows, m.byFeature, m.intercepts, classes, features));
  });

  it('two classifiers taking turns (each run puts its own weights in the module) and float64 inputs', () => {
    const a = model(1, 5, 20);
    const b = model(2, 3, 20);
    for (let i = 0; i < 4; i++) {
      for (const m of [a, b]) {
        const classes = m.intercepts.length;
        const x = m.rowsOf(16);
        expect(rowsOfSums(m.sums.run(x, 16), 16, classes)).toStrictEqual(reference(x, 16, m.byFeature, m.intercepts, classes, 20));
      }
    }
    const x = a.rowsOf(16);
    expect(rowsOfSums(a.sums.run(Float64Array.from(x), 16), 16, 5)).toStrictEqual(reference(x, 16, a.byFeature, a.intercepts, 5, 20));
  });

  it('a run larger than the module may keep is summed in JS, as exactly', () => {
    const m = model(3, 5, 47);
    const rows = 25_000;
    const x = m.rowsOf(rows);
    const got = rowsOfSums(m.sums.run(x, rows), rows, 5);
    const want = reference(x, rows, m.byFeature, m.intercepts, 5, 47);
    for (const r of [0, 1, 12_345, rows - 1]) expect(got[r]).toStrictEqual(want[r]);
  });
});
