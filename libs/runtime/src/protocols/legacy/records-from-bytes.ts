import type { InputConfig } from '../../config/schema.js';
import { fieldsFor, itemShape } from '../../features/records-to-tensors.js';
import type { NamedTensors, Signature } from '../../tensor/tensor.js';
import { Checkpoints, type Steps } from '../../threads/time-slices.js';
import { Column, type FastDType, readScalar } from '../shared/large-body/columns.js';
import { CLOSE_ARRAY, CLOSE_OBJECT, JsonBytes, notHandled, OPEN_ARRAY, OPEN_OBJECT } from '../shared/large-body/json-bytes.js';

/** The legacy API's nulls: a missing value, NaN for a number, "" (an unknown category) for a string. */
const NULLS = { float: true, string: true };

/** Where one record field goes: a column of one input's tensor. */
interface Target {
  column: Column;
  /** Its place in the input's row, and the row's width. */
  at: number;
  width: number;
  /** Its number among the fields read, for the per-record checks. */
  index: number;
}

interface Plan {
  targets: Map<string, Target>;
  inputs: { name: string; dtype: FastDType; width: number; column: Column }[];
}

/**
 * Record fields → tensor columns, as recordsToTensors reads them; undefined when an input
 * takes a nested value per record or two inputs share a field (the usual path does those).
 */
function planFor(signature: Signature, configs: readonly InputConfig[], capacity: number): Plan | undefined {
  const byName = new Map(configs.map((c) => [c.name, c]));
  const targets = new Map<string, Target>();
  const inputs: Plan['inputs'] = [];
  for (const spec of signature.inputs) {
    const fields = fieldsFor(spec, byName.get(spec.name));
    if (itemShape(spec, fields).length !== 1 || itemShape(spec, fields)[0] !== fields.length) return undefined;
    const column = new Column(spec.dtype as FastDType, capacity * fields.length);
    inputs.push({ name: spec.name, dtype: spec.dtype as FastDType, width: fields.length, column });
    for (let k = 0; k < fields.length; k++) {
      if (targets.has(fields[k]!)) return undefined;
      targets.set(fields[k]!, { column, at: k, width: fields.length, index: targets.size });
    }
  }
  return { targets, inputs };
}

/**
 * A large `{"data": [records]}` body straight from its bytes into the model's input
 * tensors, without the object tree (protocols/shared/large-body/json-bytes.ts): the same
 * tensors as readScoreRequest → recordTable → recordsToTensors, for records that are
 * objects of scalar fields. Fields no input reads are skipped. Anything else (the columns
 * layout, a missing or mistyped field, invalid JSON) gives NotHandled or undefined, and the
 * usual path words the error as always.
 */
export function* recordsFromBytes(bytes: Buffer, signature: Signature, configs: readonly InputConfig[]): Steps<NamedTensors | undefined> {
  const plan = planFor(signature, configs, Math.min(1 << 16, bodyRecordsGuess(bytes.length)));
  if (!plan) return undefined;
  const cur = new JsonBytes(bytes);
  const checkpoints = new Checkpoints();
  // stamps[t]: the last record that gave field t a value (a duplicate key or a missing field is the usual path's to word).
  const stamps = new Int32Array(plan.targets.size).fill(-1);
  let rows = 0;
  let sawData = false;
  cur.expect(OPEN_OBJECT);
  if (cur.eat(CLOSE_OBJECT)) notHandled();
  do {
    if (cur.key() !== 'data') {
      cur.skip();
      continue;
    }
    if (sawData) notHandled();
    sawData = true;
    cur.expect(OPEN_ARRAY);
    if (cur.eat(CLOSE_ARRAY)) notHandled();
    do {
      cur.expect(OPEN_OBJECT);
      let found = 0;
      if (!cur.eat(CLOSE_OBJECT)) {
        do {
          const target = plan.targets.get(cur.key());
          if (!target) {
            cur.skip();
            continue;
          }
          if (stamps[target.index] === rows) notHandled();
          stamps[target.index] = rows;
          found++;
          readScalar(cur, target.column, rows * target.width + target.at, NULLS);
        } while (cur.more(CLOSE_OBJECT));
      }
      if (found !== plan.targets.size) notHandled();
      rows++;
      if (checkpoints.due(found)) yield;
    } while (cur.more(CLOSE_ARRAY));
  } while (cur.more(CLOSE_OBJECT));
  cur.end();
  if (!sawData) notHandled();
  const tensors: NamedTensors = {};
  for (const input of plan.inputs) tensors[input.name] = { dtype: input.dtype, shape: [rows, input.width], data: input.column.data() };
  return tensors;
}

/** A first guess at the records in a body, for the columns' first allocation (they grow as needed). */
const bodyRecordsGuess = (bytes: number) => Math.max(16, bytes >>> 7);
