import { describe, expect, it } from 'vitest';
import type { Signature } from '../../tensor/tensor.js';
import { checkJsonDepth, MAX_JSON_DEPTH, maxBodyDepth } from './json-depth.js';

const nested = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;

describe('checkJsonDepth', () => {
  it('passes bodies up to the limit and refuses one level more, on text and on bytes', () => {
    expect(() => checkJsonDepth(nested(8), 8)).not.toThrow();
    expect(() => checkJsonDepth(Buffer.from(nested(8)), 8)).not.toThrow();
    expect(() => checkJsonDepth(nested(9), 8)).toThrow('deeper than 8 levels');
    expect(() => checkJsonDepth(Buffer.from(`{"a": ${nested(8)}}`), 8)).toThrow('deeper than 8 levels');
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(() => checkJsonDepth(`{"a": "[[[[[[\\"[[[[[[", "b": [1]}`, 2)).not.toThrow();
  });

  it('takes the model rank plus the envelope, and the global cap for an unknown rank', () => {
    const sig = (shape: number[] | null): Signature => ({ inputs: [{ name: 'x', dtype: 'float32', shape }], outputs: [] });
    expect(maxBodyDepth(sig([-1, 1]))).toBe(8);
    expect(maxBodyDepth(sig([-1, 28, 28]))).toBe(9);
    expect(maxBodyDepth(sig(null))).toBe(MAX_JSON_DEPTH);
    expect(maxBodyDepth(undefined)).toBe(MAX_JSON_DEPTH);
  });
});
