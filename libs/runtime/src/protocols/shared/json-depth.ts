import { invalidArgument } from '../../errors.js';
import type { Signature } from '../../tensor/tensor.js';

/**
 * Nesting beyond any model's reach: TF Serving's 64 dimensions, plus the request's own
 * object and list levels. A body nested deeper is refused whatever the model.
 */
export const MAX_JSON_DEPTH = 72;

/** Levels a request wraps around an input's value: body object, list, record/instance object. */
const ENVELOPE_DEPTH = 3;
/** Slack for what a codec accepts beyond the strict shape (a scalar wrapped in a list). */
const MARGIN = 2;

/**
 * The deepest nesting a body for this model can need: its highest input rank plus the
 * request envelope and a small margin; the global cap when a rank is unknown.
 */
export function maxBodyDepth(signature: Signature | undefined): number {
  if (!signature) return MAX_JSON_DEPTH;
  let rank = 0;
  for (const spec of signature.inputs) {
    if (!spec.shape) return MAX_JSON_DEPTH;
    rank = Math.max(rank, spec.shape.length);
  }
  return Math.min(rank + 1 + ENVELOPE_DEPTH + MARGIN, MAX_JSON_DEPTH);
}

const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const tooDeep = (maxDepth: number) =>
  invalidArgument(`request body nests lists and objects deeper than ${maxDepth} levels, more than any input of the model can take`);

/**
 * Refuses a body nested deeper than `maxDepth` before it is parsed: JSON.parse of
 * `[[[[…]]]]` under the body limit builds millions of arrays (~1 GB) and stalls the loop.
 * One pass over the bytes, no allocation; strings are skipped, so brackets inside them do
 * not count. Works on the raw Buffer (before decoding) or on the decoded text.
 */
export function checkJsonDepth(body: Buffer | string, maxDepth: number = MAX_JSON_DEPTH): void {
  const text = typeof body === 'string';
  const length = body.length;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < length; i++) {
    const c = text ? (body as string).charCodeAt(i) : (body as Buffer)[i]!;
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > maxDepth) throw tooDeep(maxDepth);
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
  }
}

/** For body-parser's `verify` hook: runs on the raw bytes, before JSON.parse. */
export function verifyJsonDepth(_req: unknown, _res: unknown, buf: Buffer): void {
  checkJsonDepth(buf, MAX_JSON_DEPTH);
}
