import { ServingError } from '../../errors.js';
import { valueAt, type NamedTensors, type Tensor } from '../../tensor/tensor.js';
import { runSteps, type Steps } from '../../threads/time-slices.js';
import { joinPieces, listPieces, type Pieces } from '../shared/answer-stream.js';
import { formatTfNumber } from './format-number.js';
import type { PredictFormat } from './request.js';

export { formatTfNumber } from './format-number.js';

/** Serialises straight to text: floats need TF Serving's formatting and NaN tokens. */
function writeElement(t: Tensor, i: number, name: string): string {
  if (t.dtype === 'string') {
    const s = t.data[i] as string;
    return name.endsWith('_bytes') ? `{"b64": "${Buffer.from(s, 'utf8').toString('base64')}"}` : JSON.stringify(s);
  }
  return formatTfNumber(valueAt(t, i) as number | bigint | boolean, t.dtype);
}

/** Elements [offset, offset + size of shape) as nested lists of `shape`. */
export function writeNested(t: Tensor, shape: readonly number[], offset: number, name: string): string {
  if (shape.length === 0) return writeElement(t, offset, name);
  const [n, ...rest] = shape as [number, ...number[]];
  const stride = rest.reduce((a, b) => a * b, 1);
  const parts = new Array<string>(n);
  for (let i = 0; i < n; i++) parts[i] = writeNested(t, rest, offset + i * stride, name);
  return `[${parts.join(', ')}]`;
}

const internal = (message: string) => new ServingError('INVALID_ARGUMENT', message);

/**
 * writeNested of a whole tensor (or row) as pieces, with checkpoints between items of its
 * outer list; `open` and `close` go around it (its key, the reply's end).
 */
function* writeNestedPieces(t: Tensor, shape: readonly number[], offset: number, name: string, open: string, close: string): Pieces {
  if (shape.length === 0) return void (yield open + writeElement(t, offset, name) + close);
  const [n, ...rest] = shape as [number, ...number[]];
  const stride = rest.reduce((a, b) => a * b, 1);
  yield* listPieces(`${open}[`, ', ', `]${close}`, n, stride, (i) => writeNested(t, rest, offset + i * stride, name));
}

function* writeRows(outputs: NamedTensors, names: readonly string[]): Pieces {
  let batch: number | undefined;
  for (const name of names) {
    const t = outputs[name]!;
    if (t.shape.length === 0) throw internal(`Tensor name: ${name} has no shape information`);
    if (batch === undefined) batch = t.shape[0]!;
    else if (t.shape[0] !== batch) throw internal(`Tensor name: ${name} has inconsistent batch size: ${t.shape[0]} expecting: ${batch}`);
  }
  // Per output: its row's shape, size and quoted name, worked out once rather than per row.
  const columns = names.map((name) => {
    const t = outputs[name]!;
    const inner = t.shape.slice(1);
    return { t, name, inner, size: inner.reduce((a, b) => a * b, 1), key: JSON.stringify(name) };
  });
  const rowSize = columns.reduce((a, c) => a + c.size, 0);
  const row = (r: number): string => {
    if (columns.length === 1) {
      const c = columns[0]!;
      return writeNested(c.t, c.inner, r * c.size, c.name);
    }
    const fields = new Array<string>(columns.length);
    for (let k = 0; k < columns.length; k++) {
      const c = columns[k]!;
      fields[k] = `${c.key}: ${writeNested(c.t, c.inner, r * c.size, c.name)}`;
    }
    return `{${fields.join(', ')}}`;
  };
  yield* listPieces('{"predictions": [', ', ', ']}', batch ?? 0, rowSize, row);
}

/** An output [N, ..., 1] without its trailing 1, for callers who sent flat instances. */
function squeezeTrailingOne(t: Tensor): Tensor {
  return t.shape.length >= 2 && t.shape.at(-1) === 1 ? { ...t, shape: t.shape.slice(0, -1) } : t;
}

/**
 * The predict reply; the request's format (not the model) decides its shape. With
 * `squeeze` (see PredictRequest) outputs lose a trailing dimension of 1.
 */
export function encodePredictResponse(format: PredictFormat, raw: NamedTensors, order: readonly string[], squeeze = false): string {
  return runSteps(encodePredictResponseSteps(format, raw, order, squeeze));
}

/** encodePredictResponse with checkpoints, for a large answer's time slices (threads/time-slices.ts). */
export function encodePredictResponseSteps(format: PredictFormat, raw: NamedTensors, order: readonly string[], squeeze = false): Steps<string> {
  return joinPieces(encodePredictResponsePieces(format, raw, order, squeeze));
}

/** encodePredictResponse as pieces of text, for a large answer written as it is made (answer-stream.ts). */
export function* encodePredictResponsePieces(format: PredictFormat, raw: NamedTensors, order: readonly string[], squeeze = false): Pieces {
  const outputs: NamedTensors = squeeze ? Object.fromEntries(Object.entries(raw).map(([n, t]) => [n, squeezeTrailingOne(t)])) : raw;
  const names = order.filter((n) => outputs[n]);
  if (format === 'row') return yield* writeRows(outputs, names);
  if (names.length === 1) return yield* writeNestedPieces(outputs[names[0]!]!, outputs[names[0]!]!.shape, 0, names[0]!, '{"outputs": ', '}');
  if (names.length === 0) return void (yield '{"outputs": {}}');
  for (let k = 0; k < names.length; k++) {
    const n = names[k]!;
    yield* writeNestedPieces(outputs[n]!, outputs[n]!.shape, 0, n, `${k === 0 ? '{"outputs": {' : ', '}${JSON.stringify(n)}: `, k === names.length - 1 ? '}}' : '');
  }
}
