import { describe, expect, it } from 'vitest';
import type { Signature } from '../tensor/tensor.js';
import { checkOutputs, conformInputs } from './conform.js';

const signature: Signature = {
  inputs: [
    { name: 'x', dtype: 'float32', shape: [-1, 1] },
    { name: 'm', dtype: 'float32', shape: [-1, 4] },
  ],
  outputs: [{ name: 'y', dtype: 'float32', shape: [-1] }],
};
const f32 = (n: number) => new Float32Array(n);

describe('conformInputs', () => {
  it('reshapes a column sent flat to the declared [-1, 1], sharing the data', () => {
    const x = { dtype: 'float32' as const, shape: [3], data: f32(3) };
    const out = conformInputs({ x, m: { dtype: 'float32', shape: [3, 4], data: f32(12) } }, signature);
    expect(out['x']!.shape).toEqual([3, 1]);
    expect(out['x']!.data).toBe(x.data);
  });

  it("gives the caller's object back when every shape fits, and a copy when one is reshaped", () => {
    const fitting = { x: { dtype: 'float32' as const, shape: [2, 1], data: f32(2) }, m: { dtype: 'float32' as const, shape: [2, 4], data: f32(8) } };
    expect(conformInputs(fitting, signature)).toBe(fitting);
    const flat = { x: { dtype: 'float32' as const, shape: [2], data: f32(2) }, m: fitting.m };
    const out = conformInputs(flat, signature);
    expect(out).not.toBe(flat);
    expect(flat.x.shape).toEqual([2]);
    expect(out['x']!.shape).toEqual([2, 1]);
    expect(out['m']).toBe(fitting.m);
  });

  it('names the input and both shapes when they cannot agree', () => {
    expect(() => conformInputs({ x: { dtype: 'float32', shape: [2, 1], data: f32(2) }, m: { dtype: 'float32', shape: [2, 3], data: f32(6) } }, signature)).toThrow(
      'input "m" has shape [2, 3], but the model expects [-1, 4]',
    );
  });

  it('refuses missing, unknown and mistyped inputs', () => {
    const m = { dtype: 'float32' as const, shape: [1, 4], data: f32(4) };
    expect(() => conformInputs({ m }, signature)).toThrow('missing input "x"');
    expect(() => conformInputs({ m, x: { dtype: 'float32', shape: [1, 1], data: f32(1) }, z: m }, signature)).toThrow('unknown input "z"');
    expect(() => conformInputs({ m, x: { dtype: 'float64', shape: [1, 1], data: new Float64Array(1) } }, signature)).toThrow(
      'input "x" has type float64, but the model expects float32',
    );
  });

  it('checks requested outputs', () => {
    expect(() => checkOutputs(['y'], signature)).not.toThrow();
    expect(() => checkOutputs(['nope'], signature)).toThrow('unknown output "nope"');
  });
});
