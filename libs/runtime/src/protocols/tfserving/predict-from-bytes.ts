import type { NamedTensors, Signature, TensorSpec } from '../../tensor/tensor.js';
import { Checkpoints, type Steps } from '../../threads/time-slices.js';
import { Column, type FastDType, readScalar } from '../shared/large-body/columns.js';
import { CLOSE_ARRAY, CLOSE_OBJECT, JsonBytes, notHandled, OPEN_ARRAY, OPEN_OBJECT } from '../shared/large-body/json-bytes.js';
import { lacksTrailingOne, type PredictRequest } from './request.js';

/** TF Serving takes no null for any dtype: every null is the usual path's error. */
const NULLS = { float: false, string: false };

/** A decoded predict body, with the signature name the body asked for. */
export interface FastPredict {
  signatureName: string | undefined;
  request: PredictRequest;
}

/**
 * A large :predict body straight from its bytes into tensors, without the object tree
 * (protocols/shared/large-body/json-bytes.ts). Row format: instances that are objects of
 * named inputs (or, for a one-input model, values), each input a scalar or a flat list of
 * one length throughout. Columnar format: each input a list of scalars or of flat lists of
 * one length. Anything else, and every invalid body, gives NotHandled, so the usual path
 * (decodePredictRequest) words the error as TF Serving does. Same tensors as that path.
 */
export function* predictRequestFromBytes(bytes: Buffer, signature: Signature): Steps<FastPredict> {
  const cur = new JsonBytes(bytes);
  let signatureName: string | undefined;
  let request: PredictRequest | undefined;
  const seen = cur.openMembers();
  do {
    const key = cur.uniqueKey(seen);
    if (key === 'signature_name') signatureName = cur.string();
    else if (key === 'instances') {
      if (request) notHandled();
      request = yield* readInstances(cur, signature.inputs, bytes.length);
    } else if (key === 'inputs') {
      if (request) notHandled();
      request = yield* readInputs(cur, signature.inputs, bytes.length);
    } else cur.skip();
  } while (cur.more(CLOSE_OBJECT));
  cur.end();
  return { signatureName, request: request ?? notHandled() };
}

/** One input's values across the rows: a column and the per-row shape (none: a scalar; [k]: a flat list). */
class InputValues {
  readonly column: Column;
  /** Values per row; undefined until the first row is read. */
  width: number | undefined;
  scalar = false;
  rows = 0;

  constructor(
    readonly spec: TensorSpec,
    capacity: number,
  ) {
    this.column = new Column(spec.dtype as FastDType, capacity);
  }

  /** One row's value: a scalar or a flat list, the same kind and length as the first row's. */
  read(cur: JsonBytes): number {
    const at = this.column.length;
    let n = 0;
    if (cur.eat(OPEN_ARRAY)) {
      if (this.scalar) notHandled();
      if (!cur.eat(CLOSE_ARRAY)) {
        do readScalar(cur, this.column, at + n++, NULLS);
        while (cur.more(CLOSE_ARRAY));
      }
      if (this.width === undefined) this.width = n;
      // An empty list makes a zero-size shape: left to the usual path.
      if (n !== this.width || n === 0) notHandled();
    } else {
      if (this.width !== undefined && !this.scalar) notHandled();
      readScalar(cur, this.column, at, NULLS);
      this.scalar = true;
      this.width = n = 1;
    }
    this.rows++;
    return n;
  }

  tensor(): NamedTensors[string] {
    const shape = this.scalar ? [this.rows] : [this.rows, this.width!];
    return { dtype: this.spec.dtype, shape, data: this.column.data() };
  }
}

function request(format: PredictRequest['format'], values: InputValues[]): PredictRequest {
  const inputs: NamedTensors = {};
  for (const v of values) inputs[v.spec.name] = v.tensor();
  return { format, inputs, squeeze: values.some((v) => lacksTrailingOne(inputs[v.spec.name]!.shape, v.spec)) };
}

function* readInstances(cur: JsonBytes, specs: readonly TensorSpec[], bodyBytes: number): Steps<PredictRequest> {
  const capacity = Math.min(1 << 16, bodyBytes >>> 3);
  const values = specs.map((spec) => new InputValues(spec, capacity));
  const byName = new Map(values.map((v) => [v.spec.name, v]));
  const checkpoints = new Checkpoints();
  cur.expect(OPEN_ARRAY);
  if (cur.eat(CLOSE_ARRAY)) notHandled();
  // A one-input model may take plain values as instances; objects are read as named inputs.
  const named = cur.peek() === OPEN_OBJECT;
  if (!named && values.length !== 1) notHandled();
  let row = 0;
  do {
    let n = 0;
    if (named) {
      cur.expect(OPEN_OBJECT);
      let found = 0;
      if (!cur.eat(CLOSE_OBJECT)) {
        do {
          const v = byName.get(cur.key()) ?? notHandled();
          // A duplicate or missing input leaves the rows uneven: the usual path words it.
          if (v.rows !== row) notHandled();
          n += v.read(cur);
          found++;
        } while (cur.more(CLOSE_OBJECT));
      }
      if (found !== values.length) notHandled();
    } else {
      if (cur.peek() === OPEN_OBJECT) notHandled();
      n = values[0]!.read(cur);
    }
    row++;
    if (checkpoints.due(n)) yield;
  } while (cur.more(CLOSE_ARRAY));
  return request('row', values);
}

function* readInputs(cur: JsonBytes, specs: readonly TensorSpec[], bodyBytes: number): Steps<PredictRequest> {
  const capacity = Math.min(1 << 16, bodyBytes >>> 3);
  const values = specs.map((spec) => new InputValues(spec, capacity));
  const checkpoints = new Checkpoints();
  if (cur.peek() === OPEN_ARRAY) {
    // A one-input model's tensor given bare.
    if (values.length !== 1) notHandled();
    yield* readColumn(cur, values[0]!, checkpoints);
    return request('columnar', values);
  }
  cur.expect(OPEN_OBJECT);
  if (cur.eat(CLOSE_OBJECT)) notHandled();
  const byName = new Map(values.map((v) => [v.spec.name, v]));
  const done = new Set<string>();
  do {
    const key = cur.key();
    const v = byName.get(key);
    // A one-input model ignores other keys beside its input's; more inputs must be named exactly.
    if (!v) {
      if (values.length !== 1) notHandled();
      cur.skip();
      continue;
    }
    if (done.has(key)) notHandled();
    done.add(key);
    yield* readColumn(cur, v, checkpoints);
  } while (cur.more(CLOSE_OBJECT));
  if (done.size !== values.length) notHandled();
  return request('columnar', values);
}

/** One input in the columnar format: a list whose items are the rows. */
function* readColumn(cur: JsonBytes, v: InputValues, checkpoints: Checkpoints): Steps<void> {
  cur.expect(OPEN_ARRAY);
  if (cur.eat(CLOSE_ARRAY)) notHandled();
  do {
    if (checkpoints.due(v.read(cur))) yield;
  } while (cur.more(CLOSE_ARRAY));
}
