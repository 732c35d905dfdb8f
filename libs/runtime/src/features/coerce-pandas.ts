import type { InputConfig } from '../config/schema.js';
import { invalidArgument } from '../errors.js';
import type { Signature } from '../tensor/tensor.js';
import { describe, type RecordTable } from './record-table.js';

/**
 * `"getScore": {"coerce": "pandas"}`: the records read as the old Flask services read them,
 * `pd.DataFrame(data)` and then a scikit-learn pipeline, so that their callers keep working.
 * Numeric fields take what Python's float() takes (scikit-learn's check_array casts an
 * object column with it): numeric strings, with surrounding whitespace, "nan"/"inf", "1_000",
 * and booleans as 1/0. Categorical fields get numbers and booleans as the DataFrame holds
 * them, written with str(): the column's dtype decides, so [1, null] is "1.0" but [1] is "1".
 * Whatever pandas would fail on stays a 400 naming the field. tools/models/pandas_coercions.py
 * wrote down what pandas does, and coerce-pandas.test.ts replays it.
 */
export type Coercion = 'pandas';

/** Python's float() literal: digits may be grouped with single "_" between them. */
const DIGITS = String.raw`\d(?:_?\d)*`;
const PY_FLOAT = new RegExp(String.raw`^[+-]?(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?$`);
const PY_SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

/** float(text) as Python computes it, or undefined where Python raises ValueError. */
export function pythonFloat(text: string): number | undefined {
  const s = text.trim();
  const special = PY_SPECIAL.exec(s);
  if (special) return special[2]!.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  return PY_FLOAT.test(s) ? Number(s.replaceAll('_', '')) : undefined;
}

/** repr(float) as Python writes it: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, exp] = x.toExponential().split('e') as [string, string];
  const e = Number(exp);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (e < -4 || e >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  const int = digits.slice(0, e + 1).padEnd(e + 1, '0');
  const frac = digits.slice(e + 1);
  return `${sign}${int}.${frac || '0'}`;
}

const isMissing = (v: unknown) => v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));

function toNumber(value: unknown, where: () => string): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'string') return value; // numbers, null and the rest: the strict writer decides
  const n = pythonFloat(value);
  if (n === undefined) throw invalidArgument(`${where()} must be a number; pandas cannot read ${describe(value)} as one either`);
  return n;
}

/**
 * How pandas types a column, which decides how its numbers print: only numbers and at least
 * one null or non-integer → float64; only integers → int64; only booleans → bool; else object.
 * JSON.parse cannot tell 2.0 from 2, so an integral number is taken as an int unless it is
 * beyond 2^53 (where Python's json would have read a float too).
 */
type ColumnType = 'float64' | 'int64' | 'bool' | 'object';

const isInt = (v: number) => Number.isSafeInteger(v);

function columnType(values: readonly unknown[]): ColumnType {
  const present = values.filter((v) => !isMissing(v));
  if (present.length > 0 && present.every((v) => typeof v === 'boolean')) return present.length === values.length ? 'bool' : 'object';
  if (present.every((v) => typeof v === 'number')) {
    return present.length === values.length && present.every((v) => isInt(v as number)) ? 'int64' : 'float64';
  }
  return 'object';
}

function toCategory(value: unknown, type: ColumnType): unknown {
  if (isMissing(value)) return null;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return type !== 'float64' && isInt(value) ? String(value) : pythonFloatRepr(value);
  return value; // strings as they are; lists and objects are refused by the strict writer
}

function fieldsOf(spec: { name: string }, config: InputConfig | undefined): string[] {
  return config?.fields ?? [config?.field ?? spec.name];
}

/** The caller's records, read through pandas' eyes; the table itself is not copied. */
export function coerceLikePandas(table: RecordTable, signature: Signature, inputs: readonly InputConfig[] = []): RecordTable {
  const numeric = new Set<string>();
  const categorical = new Set<string>();
  for (const spec of signature.inputs) {
    const fields = fieldsOf(spec, inputs.find((i) => i.name === spec.name));
    if (spec.dtype === 'float32' || spec.dtype === 'float64') fields.forEach((f) => numeric.add(f));
    else if (spec.dtype === 'string') fields.forEach((f) => categorical.add(f));
  }
  const types = new Map<string, ColumnType>();
  const typeOf = (field: string) => {
    let type = types.get(field);
    if (!type) {
      const values = Array.from({ length: table.length }, (_, row) => (table.has(field, row) ? table.get(field, row) : null));
      types.set(field, (type = columnType(values)));
    }
    return type;
  };
  const get = (field: string, row: number): unknown => {
    const value = table.get(field, row);
    if (numeric.has(field)) return toNumber(value, () => `field "${field}" of record ${row}`);
    if (categorical.has(field)) return toCategory(value, typeOf(field));
    return value;
  };
  return {
    length: table.length,
    has: (field, row) => table.has(field, row),
    get,
    toRows: () => table.toRows(),
  };
}
