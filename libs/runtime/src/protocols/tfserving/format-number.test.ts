import { describe, expect, it } from 'vitest';
import { formatFloat, formatG } from './format-number.js';
import { encodePredictResponse } from './response.js';
import { encodeModelStatus } from './status.js';

describe('number formatting', () => {
  it.each([
    [3, 'float32', '3.0'],
    [9000000, 'float32', '9e+06'],
    [0.00003, 'float32', '3e-05'],
    [555557.5, 'float32', '555557.5'],
    [Math.fround(0.2), 'float32', '0.2'],
    [Math.fround(1 / 3), 'float32', '0.333333343'],
    [1 / 3, 'float64', '0.33333333333333331'],
    [-2.5, 'float64', '-2.5'],
    [NaN, 'float32', 'NaN'],
    [-Infinity, 'float64', '-Infinity'],
  ] as const)('%d as %s → %s', (v, dtype, text) => {
    expect(formatFloat(v, dtype)).toBe(text);
  });

  it('formats %g like C', () => {
    expect(formatG(123456789, 6)).toBe('1.23457e+08');
    expect(formatG(0.0001, 6)).toBe('0.0001');
    expect(formatG(100, 6)).toBe('100');
  });
});

describe('encodePredictResponse', () => {
  const label = { dtype: 'string' as const, shape: [2], data: ['a', 'b'] };
  const p = { dtype: 'float32' as const, shape: [2, 2], data: new Float32Array([0.5, 0.5, 1, NaN]) };

  it('row format: one output drops its name; several give objects per row', () => {
    expect(encodePredictResponse('row', { p }, ['p'])).toBe('{"predictions": [[0.5, 0.5], [1.0, NaN]]}');
    expect(encodePredictResponse('row', { label, p }, ['label', 'p'])).toBe('{"predictions": [{"label": "a", "p": [0.5, 0.5]}, {"label": "b", "p": [1.0, NaN]}]}');
  });

  it('columnar format: whole tensors', () => {
    expect(encodePredictResponse('columnar', { label, p }, ['label', 'p'])).toBe('{"outputs": {"label": ["a", "b"], "p": [[0.5, 0.5], [1.0, NaN]]}}');
    expect(encodePredictResponse('columnar', { p }, ['p'])).toBe('{"outputs": [[0.5, 0.5], [1.0, NaN]]}');
  });

  it('writes int64 exactly, *_bytes as b64, and refuses mismatched batches in row format', () => {
    const big = { dtype: 'int64' as const, shape: [1], data: new BigInt64Array([9007199254740993n]) };
    const raw_bytes = { dtype: 'string' as const, shape: [1], data: ['hi'] };
    expect(encodePredictResponse('columnar', { big, raw_bytes }, ['big', 'raw_bytes'])).toBe('{"outputs": {"big": [9007199254740993], "raw_bytes": [{"b64": "aGk="}]}}');
    expect(() => encodePredictResponse('row', { big, label }, ['big', 'label'])).toThrow('Tensor name: label has inconsistent batch size: 2 expecting: 1');
  });
});

describe('encodeModelStatus', () => {
  it('lists newest first with OK or the load error', () => {
    const json = JSON.parse(encodeModelStatus([{ version: 1, state: 'AVAILABLE' }, { version: 3, state: 'END', error: 'bad graph' }]));
    expect(json.model_version_status).toEqual([
      { version: '3', state: 'END', status: { error_code: 'UNKNOWN', error_message: 'bad graph' } },
      { version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
    ]);
  });
});

/** The %g of the first release (toExponential, then fixed or exponent): formatG must agree with it byte for byte. */
function formatGByExponent(v: number, precision: number): string {
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mantissa, e] = v.toExponential(precision - 1).split('e') as [string, string];
  const exponent = Number(e);
  if (exponent < -4 || exponent >= precision) {
    const m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
    return `${m}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const fixed = v.toFixed(Math.max(0, precision - 1 - exponent));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

describe('formatG, the fast way', () => {
  it('agrees with the exponent-first %g on 200k floats across every magnitude and on the notation edges', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const values: number[] = [1e-7, 9.99999e-7, 1e-6, 9.999995e-6, 1e-5, 9.999995e-5, 0.0001, 99999.95, 999999.5, 1e6, 1e21, 1e-300, 5e-324, 1.7976931348623157e308];
    for (let i = 0; i < 200_000; i++) {
      const magnitude = 10 ** Math.floor(random() * 40 - 20);
      const v = (random() - 0.5) * 2 * magnitude;
      values.push(v, Math.fround(v));
    }
    for (const v of [...values, ...values.map((x) => -x)]) {
      for (const precision of [6, 9, 17]) {
        if (formatG(v, precision) !== formatGByExponent(v, precision)) expect(`${v} %.${precision}g → ${formatG(v, precision)}`).toBe(formatGByExponent(v, precision));
      }
    }
  });
});
