import type { DType } from '../../tensor/tensor.js';

/** `s` (which has a decimal point) without trailing zeros, nor a point left bare. */
function trimFraction(s: string): string {
  let end = s.length;
  while (s.charCodeAt(end - 1) === 0x30) end--;
  if (s.charCodeAt(end - 1) === 0x2e) end--;
  return end === s.length ? s : s.slice(0, end);
}

/**
 * C's `%.{precision}g`: fixed or exponent notation, trailing zeros dropped.
 * JS's toPrecision rounds the same way (to `precision` significant digits, deciding the
 * exponent after rounding) and picks the same notation except for exponents -5 and -6,
 * which it writes fixed where C switches to an exponent: only those take the longer way.
 * This runs for every float of a TF Serving answer (~10^5–10^6 for a large one).
 */
export function formatG(v: number, precision: number): string {
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const text = v.toPrecision(precision);
  const e = text.indexOf('e');
  if (e === -1) {
    const tiny = text.startsWith(v < 0 ? '-0.0000' : '0.0000'); // exponent -5 or -6
    if (!tiny) return text.includes('.') ? trimFraction(text) : text;
    return exponentForm(v.toExponential(precision - 1));
  }
  return exponentForm(text);
}

/** `1.50000e+7` (JS) → `1.5e+07` (C: trailing zeros dropped, at least two exponent digits). */
function exponentForm(js: string): string {
  const e = js.indexOf('e');
  const mantissa = js.slice(0, e);
  const m = mantissa.includes('.') ? trimFraction(mantissa) : mantissa;
  const sign = js[e + 1]!;
  const digits = js.slice(e + 2);
  return `${m}e${sign}${digits.length < 2 ? `0${digits}` : digits}`;
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
  return text.includes('.') || text.includes('e') ? text : `${text}.0`;
}

/** Any element of a numeric or bool tensor, as TF Serving's JSON writes it. */
export function formatTfNumber(v: number | bigint | boolean, dtype: DType): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (dtype === 'float32' || dtype === 'float64') return formatFloat(Number(v), dtype);
  return String(v);
}
