import type { DType } from '../../tensor/tensor.js';

/** C's `%.{precision}g`: fixed or exponent notation, trailing zeros dropped. */
export function formatG(v: number, precision: number): string {
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const exp = v.toExponential(precision - 1); // rounds the way %g decides its exponent
  const [mantissa, e] = exp.split('e') as [string, string];
  const exponent = Number(e);
  if (exponent < -4 || exponent >= precision) {
    const m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
    const sign = exponent < 0 ? '-' : '+';
    return `${m}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const fixed = v.toFixed(Math.max(0, precision - 1 - exponent));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/**
 * A float as TF Serving writes it: the 6-digit %g form when it reads back to the same
 * float32/double, else %.9g / %.17g; ".0" added when the text would read as an integer.
 */
export function formatFloat(v: number, dtype: 'float32' | 'float64'): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  const same = dtype === 'float32' ? (s: string) => Math.fround(Number(s)) === Math.fround(v) : (s: string) => Number(s) === v;
  let text = formatG(v, 6);
  if (!same(text)) text = formatG(v, dtype === 'float32' ? 9 : 17);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** Any element of a numeric or bool tensor, as TF Serving's JSON writes it. */
export function formatTfNumber(v: number | bigint | boolean, dtype: DType): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (dtype === 'float32' || dtype === 'float64') return formatFloat(Number(v), dtype);
  return String(v);
}
