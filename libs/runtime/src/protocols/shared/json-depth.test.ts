import { describe, expect, it } from 'vitest';
import type { Signature } from '../../tensor/tensor.js';
import { checkJsonDepth, checkValueDepth, JsonDepthScanner, MAX_JSON_DEPTH, maxBodyDepth, valueWithinDepth } from './json-depth.js';

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

describe('valueWithinDepth (small bodies, checked after JSON.parse)', () => {
  /** A random JSON text of lists, objects, numbers and strings with brackets in them. */
  function randomJson(seed: number): string {
    let state = seed;
    const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const value = (level: number): string => {
      const r = next();
      if (level > 12 || r < 0.3) return r < 0.15 ? String(Math.round(next() * 1e6) / 100) : JSON.stringify(`s[${level}]{"`);
      const n = Math.floor(next() * 4);
      const items = Array.from({ length: n }, () => value(level + 1));
      return r < 0.65 ? `[${items.join(',')}]` : `{${items.map((v, i) => `"k${i}[":${v}`).join(',')}}`;
    };
    return value(0);
  }

  it('agrees with the byte scan on every limit, for 300 random bodies', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const text = randomJson(seed);
      const value = JSON.parse(text);
      for (let limit = 1; limit <= 14; limit++) {
        expect(valueWithinDepth(value, limit), `${text} at ${limit}`).toBe(new JsonDepthScanner(limit).feed(text));
      }
    }
  });

  it('walks 100,000 levels without recursion, and refuses them with the scan\'s message', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(valueWithinDepth(deep, 100_000)).toBe(true);
    expect(valueWithinDepth(deep, 99_999)).toBe(false);
    expect(() => checkValueDepth(deep, 72)).toThrow(/deeper than 72 levels/);
    expect(valueWithinDepth(5, 0)).toBe(true);
  });
});
