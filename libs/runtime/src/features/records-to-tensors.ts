import type { InputConfig } from '../config/schema.js';
import { invalidArgument } from '../errors.js';
import { elementCount, INT_RANGES, type DType, type NamedTensors, type Signature, type TensorData, type TensorSpec } from '../tensor/tensor.js';
import { allocateInOneBuffer } from '../tensor/one-buffer.js';
import { fastObject } from '../tensor/fast-object.js';
import { coerceLikePandas, type Coercion } from './coerce-pandas.js';
import { flattenNested } from '../tensor/flatten-nested.js';
import { FLOAT32_OVERFLOW, overflowsFloat32 } from '../tensor/float-range.js';
import { describe, type RecordTable } from './record-table.js';
import { NO_INPUTS, perSignatureAndInputs } from './input-plans.js';
import { Checkpoints, runSteps, type Steps } from '../threads/time-slices.js';

/**
 * Fills one column of a tensor from one record field. A null is a missing value: NaN for
 * floats (the model's imputer decides), "" for strings (an unknown category). An absent
 * field is the caller's mistake and is named. `where` words the place only on an error:
 * built per value, its text (or a closure) would cost more than the write itself.
 */
type Writer = (data: TensorData, at: number, value: unknown, where: Where) => void;

/** Where a value came from: field, record and (for a nested field) its index. */
interface Where {
  field: string;
  row: number;
  index?: number;
}

const placeOf = (w: Where) => (w.index === undefined ? `field "${w.field}" of record ${w.row}` : `field "${w.field}" of record ${w.row}, value ${w.index}`);

function writerFor(dtype: DType): Writer {
  switch (dtype) {
    case 'float32':
    case 'float64':
      return (data, at, value, where) => {
        if (value === null) (data as Float32Array)[at] = NaN;
        else if (typeof value === 'number') {
          // 1e39 stored as float32 is Infinity: a silently different input, so refuse it.
          if (dtype === 'float32' && overflowsFloat32(value)) throw invalidArgument(`${placeOf(where)} is ${value}, outside the float32 range of the model's input`);
          (data as Float32Array)[at] = value;
        } else throw invalidArgument(`${placeOf(where)} must be a number or null, got ${describe(value)}`);
      };
    case 'string':
      return (data, at, value, where) => {
        if (value === null) (data as string[])[at] = '';
        else if (typeof value === 'string') (data as string[])[at] = value;
        else throw invalidArgument(`${placeOf(where)} must be a string or null, got ${describe(value)}`);
      };
    case 'bool':
      return (data, at, value, where) => {
        if (typeof value !== 'boolean') throw invalidArgument(`${placeOf(where)} must be true or false, got ${describe(value)}`);
        (data as Uint8Array)[at] = value ? 1 : 0;
      };
    case 'int64':
    case 'uint64':
      return (data, at, value, where) => {
        if (typeof value !== 'number' || !Number.isSafeInteger(value) || (dtype === 'uint64' && value < 0)) {
          throw invalidArgument(`${placeOf(where)} must be an integer (${dtype}), got ${describe(value)}`);
        }
        (data as BigInt64Array)[at] = BigInt(value);
      };
    default: {
      const [min, max] = INT_RANGES[dtype]!;
      return (data, at, value, where) => {
        if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
          throw invalidArgument(`${placeOf(where)} must be an integer in [${min}, ${max}] (${dtype}), got ${describe(value)}`);
        }
        (data as Int32Array)[at] = value;
      };
    }
  }
}

export function fieldsFor(spec: TensorSpec, config: InputConfig | undefined): string[] {
  if (config?.fields) return config.fields;
  return [config?.field ?? spec.name];
}

/**
 * Values per record for a one-field input: 1 for a column ([N, 1]), more when the model
 * takes a whole array per record (an image [N, 28, 28] from a 28×28 nested list).
 */
export function itemShape(spec: TensorSpec, fields: readonly string[]): number[] {
  const inner = spec.shape?.slice(1) ?? [];
  if (fields.length === 1 && inner.length > 0 && inner.every((d) => d > 0) && elementCount(inner) > 1) return inner;
  return [fields.length];
}

/** What the signature and config say about one input, worked out once per (signature, inputs), not per request. */
interface InputPlan {
  spec: TensorSpec;
  fields: string[];
  item: number[];
  width: number;
  write: Writer;
}

const planFor = perSignatureAndInputs((signature, inputs): InputPlan[] => {
  const configs = new Map(inputs.map((i) => [i.name, i]));
  return signature.inputs.map((spec) => {
    const fields = fieldsFor(spec, configs.get(spec.name));
    const item = itemShape(spec, fields);
    return { spec, fields, item, width: elementCount(item), write: writerFor(spec.dtype) };
  });
});

/**
 * Records → one named tensor per model input, shaped [records, fields]. `coerce` reads the
 * records as the old pandas-based services did (features/coerce-pandas.ts); default strict.
 */
export function recordsToTensors(table: RecordTable, signature: Signature, inputs: readonly InputConfig[] = NO_INPUTS, coerce?: Coercion): NamedTensors {
  return runSteps(recordsToTensorsSteps(table, signature, inputs, coerce));
}

/** recordsToTensors with checkpoints between records, for a large body's time slices (threads/time-slices.ts). */
export function* recordsToTensorsSteps(table: RecordTable, signature: Signature, inputs: readonly InputConfig[] = NO_INPUTS, coerce?: Coercion): Steps<NamedTensors> {
  if (table.length === 0) throw invalidArgument('"data" holds no records');
  if (coerce === 'pandas') table = coerceLikePandas(table, signature, inputs);
  const plan = planFor(signature, inputs);
  const rows = table.length;
  const datas = allocateInOneBuffer(plan.map(({ spec, width }) => ({ dtype: spec.dtype, length: rows * width })));
  // Row objects as the caller sent them go record by record; anything the walk does not
  // take (a missing field, a refused value) is read again field by field below, which
  // names the first mistake in the order it always has.
  const layout = table.rows && rowLayoutOf(plan);
  if (!(layout && (yield* walkRecords(table.rows!, layout, datas)))) yield* readByField(table, plan, datas);
  // The plan lists the signature's inputs in order, so the signature's list names its keys.
  const tensors: NamedTensors = fastObject(signature.inputs);
  for (let i = 0; i < plan.length; i++) {
    const { spec, item } = plan[i]!;
    tensors[spec.name] = { dtype: spec.dtype, shape: item.length === 1 ? [rows, item[0]!] : [rows, ...item], data: datas[i]! };
  }
  return tensors;
}

/** Every input's fields looked up by name in every record: the reference reading, and the one that words errors. */
function* readByField(table: RecordTable, plan: readonly InputPlan[], datas: TensorData[]): Steps<void> {
  const rows = table.length;
  // One object reused for every value: only an error reads it.
  const where: Where = { field: '', row: 0 };
  const checkpoints = new Checkpoints();
  for (let input = 0; input < plan.length; input++) {
    const { spec, fields, item, width, write } = plan[input]!;
    const data = datas[input]!;
    if (width !== fields.length) {
      const field = fields[0]!;
      for (let row = 0; row < rows; row++) {
        if (!table.has(field, row)) throw invalidArgument(`record ${row} has no field "${field}" (model input "${spec.name}")`);
        const values = flattenNested(table.get(field, row), item.length);
        if (!values) throw invalidArgument(`field "${field}" of record ${row} is nested deeper than the input's shape [${item.join(', ')}]`);
        if (values.length !== width) throw invalidArgument(`field "${field}" of record ${row} must hold ${width} values (shape [${item.join(', ')}]), got ${values.length}`);
        where.field = field;
        where.row = row;
        for (let i = 0; i < width; i++) {
          where.index = i;
          write(data, row * width + i, values[i], where);
        }
        if (checkpoints.due(width)) yield;
      }
    } else {
      where.index = undefined;
      for (let row = 0; row < rows; row++) {
        where.row = row;
        for (let col = 0; col < width; col++) {
          const field = fields[col]!;
          const value = table.get(field, row);
          // JSON has no undefined: only an absent field reads as one, so has() runs only then.
          if (value === undefined && !table.has(field, row)) throw invalidArgument(`record ${row} has no field "${field}" (model input "${spec.name}")`);
          where.field = field;
          write(data, row * width + col, value, where);
        }
        if (checkpoints.due(width)) yield;
      }
    }
  }
}

/** Where one record field goes: which input's storage, at which column of its rows. */
interface FieldSlot {
  input: number;
  col: number;
  width: number;
  write: Writer;
  /** Set for a float input: its numbers are written without a call to `write`. */
  float: 'float32' | 'float64' | undefined;
}

/** Every field the model reads, by name; undefined when an input is nested or a field feeds two inputs. */
interface RowLayout {
  slots: Map<string, FieldSlot>;
}

const rowLayouts = new WeakMap<readonly InputPlan[], RowLayout | null>();

function rowLayoutOf(plan: readonly InputPlan[]): RowLayout | undefined {
  let layout = rowLayouts.get(plan);
  if (layout === undefined) {
    const slots = new Map<string, FieldSlot>();
    let flat = true;
    plan.forEach(({ spec, fields, width, write }, input) => {
      if (width !== fields.length) flat = false;
      const float = spec.dtype === 'float32' || spec.dtype === 'float64' ? spec.dtype : undefined;
      fields.forEach((field, col) => {
        if (slots.has(field)) flat = false;
        slots.set(field, { input, col, width, write, float });
      });
    });
    rowLayouts.set(plan, (layout = flat ? { slots } : null));
  }
  return layout ?? undefined;
}

/**
 * Record by record, each record's values in its own key order, instead of every field
 * looked up by name in every record. A JSON body's records share their key order, so the
 * slots found for the first record's keys serve every record whose keys are the same
 * (compared by position: V8 interns keys, so each is a pointer comparison), and the values
 * come out in one builtin call (Object.values). A float within float32's range is written
 * here; anything else goes through its input's writer, which checks it. 100 records of 32
 * fields: ~45 µs against ~78 µs for a keyed read and a writer call per value.
 * False when a record lacks a field or a value is refused, and the field-by-field reading
 * then says which.
 */
function* walkRecords(records: readonly Record<string, unknown>[], layout: RowLayout, datas: TensorData[]): Steps<boolean> {
  const { slots } = layout;
  const fieldCount = slots.size;
  // The key order last seen and each position's slot (undefined: a field no input reads).
  let keys: string[] = [];
  let bySlot: (FieldSlot | undefined)[] = [];
  const where: Where = { field: '', row: 0 };
  const checkpoints = new Checkpoints();
  try {
    for (let row = 0; row < records.length; row++) {
      const record = records[row]!;
      // for…in, not Object.keys, to compare: it allocates nothing, and it is what lets
      // Object.values below take V8's fast path (see valueWithinDepth).
      let position = 0;
      let same = true;
      for (const key in record) {
        if (keys[position] !== key) {
          same = false;
          break;
        }
        position++;
      }
      if (!same || position !== keys.length) {
        keys = Object.keys(record);
        bySlot = keys.map((key) => slots.get(key));
        let found = 0;
        for (const slot of bySlot) if (slot !== undefined) found++;
        if (found !== fieldCount) return false;
      }
      const values = Object.values(record);
      for (let i = 0; i < values.length; i++) {
        const slot = bySlot[i];
        if (slot === undefined) continue;
        const value = values[i];
        const at = row * slot.width + slot.col;
        if (slot.float && typeof value === 'number' && (slot.float === 'float64' || (value < FLOAT32_OVERFLOW && value > -FLOAT32_OVERFLOW))) {
          (datas[slot.input] as Float32Array | Float64Array)[at] = value;
        } else slot.write(datas[slot.input]!, at, value, where);
      }
      if (checkpoints.due(fieldCount)) yield;
    }
  } catch {
    return false;
  }
  return true;
}
