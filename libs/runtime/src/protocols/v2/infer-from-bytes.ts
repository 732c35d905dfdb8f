import { elementCount, type NamedTensors, type Signature } from '../../tensor/tensor.js';
import { Checkpoints, type Steps } from '../../threads/time-slices.js';
import { Column, type FastDType, readScalar } from '../shared/large-body/columns.js';
import { CLOSE_ARRAY, CLOSE_OBJECT, JsonBytes, notHandled, OPEN_ARRAY, OPEN_OBJECT, QUOTE } from '../shared/large-body/json-bytes.js';
import type { InferRequest } from './codec.js';
import { dtypeOfV2 } from './datatypes.js';

/** v2's nulls: a missing float value (NaN); never a string. */
const NULLS = { float: true, string: false };
/** Ranks the fast decoder follows "data" into; deeper shapes take the usual path. */
const MAX_RANK = 8;

/**
 * A large v2 JSON infer body straight from its bytes into tensors, without the object tree
 * (protocols/shared/large-body/json-bytes.ts). It reads the bodies clients send, inputs as
 * `{"name", "shape", "datatype", "data"}` in that order (data last); anything else, any
 * `parameters` (binary outputs and the like), and every invalid body give NotHandled, so
 * decodeInferRequest words the error as always. Same tensors as decodeInferRequest.
 */
export function* inferRequestFromBytes(bytes: Buffer, signature: Signature): Steps<InferRequest> {
  const cur = new JsonBytes(bytes);
  const checkpoints = new Checkpoints();
  const tensors: NamedTensors = {};
  let id: string | undefined;
  let outputs: string[] | undefined;
  let inputs = 0;
  const seen = cur.openMembers();
  do {
    const key = cur.uniqueKey(seen);
    if (key === 'id') id = cur.string(); else if (key === 'outputs') outputs = readOutputs(cur);
    else if (key === 'parameters') notHandled();
    else if (key === 'inputs') {
      cur.expect(OPEN_ARRAY);
      if (cur.eat(CLOSE_ARRAY)) notHandled();
      do {
        yield* readInput(cur, signature, tensors, checkpoints, bytes.length);
        inputs++;
      } while (cur.more(CLOSE_ARRAY));
    } else cur.skip();
  } while (cur.more(CLOSE_OBJECT));
  cur.end();
  if (inputs === 0) notHandled();
  return { ...(id !== undefined && { id }), inputs: tensors, ...(outputs && { outputs }) };
}

/** `[{"name": "..."}, ...]`: names only (per-output parameters take the usual path). */
function readOutputs(cur: JsonBytes): string[] {
  const names: string[] = [];
  cur.expect(OPEN_ARRAY);
  if (cur.eat(CLOSE_ARRAY)) return names;
  do {
    cur.expect(OPEN_OBJECT);
    let name: string | undefined;
    if (!cur.eat(CLOSE_OBJECT)) {
      do {
        const key = cur.key();
        if (key !== 'name' || name !== undefined) notHandled();
        name = cur.string();
      } while (cur.more(CLOSE_OBJECT));
    }
    names.push(name ?? notHandled());
  } while (cur.more(CLOSE_ARRAY));
  return names;
}

function readShape(cur: JsonBytes): number[] {
  const dims: number[] = [];
  cur.expect(OPEN_ARRAY);
  if (cur.eat(CLOSE_ARRAY)) return dims;
  do {
    if (!cur.atNumber()) notHandled();
    const d = cur.number();
    if (!Number.isInteger(d) || d < 0) notHandled();
    dims.push(d);
  } while (cur.more(CLOSE_ARRAY));
  return dims;
}

function* readInput(cur: JsonBytes, signature: Signature, tensors: NamedTensors, checkpoints: Checkpoints, bodyBytes: number): Steps<void> {
  let name: string | undefined;
  let dims: number[] | undefined;
  let dtype: FastDType | undefined;
  let column: Column | undefined;
  cur.expect(OPEN_OBJECT);
  if (cur.eat(CLOSE_OBJECT)) notHandled();
  do {
    const key = cur.key();
    if (key === 'name' && name === undefined && cur.peek() === QUOTE) name = cur.string();
    else if (key === 'shape' && dims === undefined) dims = readShape(cur);
    else if (key === 'datatype' && dtype === undefined && cur.peek() === QUOTE) {
      dtype = dtypeOfV2(cur.string()) as FastDType | undefined;
      if (dtype === undefined) notHandled();
    } else if (key === 'data' && column === undefined) {
      // Everything that decides how to read the values comes first, as clients write it.
      if (name === undefined || dims === undefined || dtype === undefined || dims.length > MAX_RANK) return notHandled();
      const spec = signature.inputs.find((s) => s.name === name);
      if (!spec || spec.dtype !== dtype || tensors[name] !== undefined) return notHandled();
      const count = elementCount(dims);
      // Each value takes at least two bytes of the body: a shape cannot make this allocate more.
      column = new Column(dtype, Math.min(count, bodyBytes >>> 1));
      yield* readData(cur, column, Math.max(dims.length, 1), checkpoints);
      if (column.length !== count) notHandled();
    } else if (key === 'parameters') notHandled();
    else if (key === 'name' || key === 'shape' || key === 'datatype' || key === 'data') notHandled();
    else cur.skip();
  } while (cur.more(CLOSE_OBJECT));
  if (!column) return notHandled();
  tensors[name!] = { dtype: dtype!, shape: dims!, data: column.data() };
}

/** The leaves of "data", row-major, nested at most `maxDepth` lists (flat or as the shape nests). */
function* readData(cur: JsonBytes, column: Column, maxDepth: number, checkpoints: Checkpoints): Steps<void> {
  // An explicit count of open lists, not recursion: the nesting is the caller's.
  let depth = 0;
  let i = 0;
  for (;;) {
    // A value starts here.
    if (cur.eat(OPEN_ARRAY)) {
      if (++depth > maxDepth) notHandled();
      if (!cur.eat(CLOSE_ARRAY)) continue;
      depth--; // an empty list: a finished value
    } else {
      readScalar(cur, column, i++, NULLS);
      if (checkpoints.due()) yield;
    }
    // A value has finished: a comma starts the next one, each bracket closes a list.
    for (;;) {
      if (depth === 0) return;
      if (cur.more(CLOSE_ARRAY)) break;
      depth--;
    }
  }
}
