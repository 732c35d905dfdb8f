import { describe, expect, it } from 'vitest';
import type { Signature } from '../../tensor/tensor.js';
import { checkJsonDepth, JsonDepthScanner, MAX_JSON_DEPTH, maxBodyDepth } from './json-depth.js';

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

  it('scans a body that arrives in pieces split anywhere, strings and escapes included', () => {
    const body = `{"s": "a\\"[[[[[[", "x": [[[1]]]}`;
    for (let cut = 1; cut < body.length; cut++) {
      const ok = new JsonDepthScanner(4);
      expect(ok.feed(body.slice(0, cut)) && ok.feed(body.slice(cut))).toBe(true);
      const strict = new JsonDepthScanner(3);
      expect(strict.feed(Buffer.from(body.slice(0, cut))) && strict.feed(Buffer.from(body.slice(cut)))).toBe(false);
    }
  });

  it('takes the model rank plus the envelope, and the global cap for an unknown rank', () => {
    const sig = (shape: number[] | null): Signature => ({ inputs: [{ name: 'x', dtype: 'float32', shape }], outputs: [] });
    expect(maxBodyDepth(sig([-1, 1]))).toBe(8);
    expect(maxBodyDepth(sig([-1, 28, 28]))).toBe(9);
    expect(maxBodyDepth(sig(null))).toBe(MAX_JSON_DEPTH);
    expect(maxBodyDepth(undefined)).toBe(MAX_JSON_DEPTH);
  });
});
