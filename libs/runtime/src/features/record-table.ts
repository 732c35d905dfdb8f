import { invalidArgument } from '../errors.js';

/**
 * The records a caller sent, in either of the layouts a pandas DataFrame accepts: a list of
 * row objects, or an object of columns (lists, or {index: value} maps as `df.to_dict()`
 * writes them). A single row object is taken as one record. Read in place, never copied.
 */
export interface RecordTable {
  readonly length: number;
  has(field: string, row: number): boolean;
  get(field: string, row: number): unknown;
  /** Whole rows, every field included: the caller's own objects when it sent rows. */
  toRows(): Record<string, unknown>[];
  /**
   * The caller's row objects, read as they are (no coercion): set only by a table of rows,
   * so that records → tensors can walk each record's own keys once instead of looking up
   * every field by name (features/records-to-tensors.ts).
   */
  readonly rows?: readonly Record<string, unknown>[];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function rowsTable(rows: unknown[]): RecordTable {
  rows.forEach((row, i) => {
    if (!isPlainObject(row)) throw invalidArgument(`record ${i} must be an object of fields, got ${describe(row)}`);
  });
  const records = rows as Record<string, unknown>[];
  return {
    length: records.length,
    has: (field, row) => Object.hasOwn(records[row]!, field),
    get: (field, row) => records[row]![field],
    toRows: () => records,
    rows: records,
  };
}

function columnsTable(columns: Record<string, unknown>): RecordTable {
  const lists = new Map<string, unknown[]>();
  let length: number | undefined;
  for (const [field, column] of Object.entries(columns)) {
    const values = Array.isArray(column) ? column : isPlainObject(column) ? Object.values(column) : undefined;
    if (!values) throw invalidArgument(`column "${field}" must be a list of values (or an {index: value} object)`);
    if (length !== undefined && values.length !== length) {
      throw invalidArgument(`columns have different lengths: "${field}" has ${values.length} values, the others ${length}`);
    }
    length = values.length;
    lists.set(field, values);
  }
  return {
    length: length ?? 0,
    has: (field) => lists.has(field),
    // Undefined for an absent column, as an absent field of a row object reads.
    get: (field, row) => lists.get(field)?.[row],
    toRows: () =>
      Array.from({ length: length ?? 0 }, (_, row) => {
        const record: Record<string, unknown> = {};
        for (const [field, values] of lists) record[field] = values[row];
        return record;
      }),
  };
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

export function recordTable(data: unknown): RecordTable {
  if (Array.isArray(data)) return rowsTable(data);
  if (isPlainObject(data)) {
    const values = Object.values(data);
    const columnar = values.length > 0 && values.every((v) => Array.isArray(v) || isPlainObject(v));
    return columnar ? columnsTable(data) : rowsTable([data]);
  }
  throw invalidArgument(`"data" must be a list of records or an object of columns, got ${describe(data)}`);
}
