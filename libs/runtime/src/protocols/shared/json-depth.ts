import type { IncomingMessage, Server } from 'node:http';
import { invalidArgument } from '../../errors.js';
import type { Signature } from '../../tensor/tensor.js';
import { runSteps, type Steps } from '../../threads/time-slices.js';
import { BACKSLASH, CLOSE_ARRAY, CLOSE_OBJECT, COMMA, OPEN_ARRAY, OPEN_OBJECT, QUOTE } from './large-body/json-bytes.js';

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


const tooDeep = (maxDepth: number) =>
  invalidArgument(`request body nests lists and objects deeper than ${maxDepth} levels, more than any input of the model can take`);

/**
 * Bracket depth across a body that arrives in pieces: strings are skipped (brackets inside
 * them do not count, escapes included), so a piece may end anywhere.
 */
export class JsonDepthScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;

  constructor(readonly maxDepth: number) {}

  /**
   * Feeds the next piece (or its part [start, end)); false once the nesting went beyond
   * maxDepth. Text and bytes have a loop each: one shape per loop keeps it fast (~10 MB in
   * a few tens of ms), and large bodies are fed in parts between time slices.
   */
  feed(piece: Buffer | string, start = 0, end = piece.length): boolean {
    return typeof piece === 'string' ? this.feedText(piece, start, end) : this.feedBytes(piece, start, end);
  }

  private feedText(piece: string, start: number, end: number): boolean {
    let { depth, inString, escaped } = this;
    const max = this.maxDepth;
    for (let i = start; i < end; i++) {
      const c = piece.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
      } else if (c === QUOTE) inString = true;
      else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
        if (++depth > max) return false;
      } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    return true;
  }

  /**
   * feedText that also notes each comma outside strings by the depth it is at:
   * commas[d - 1] for depth d, as far as commas.length (see json-pieces.ts).
   */
  feedNotingCommas(piece: string, start: number, end: number, commas: number[][]): boolean {
    let { depth, inString, escaped } = this;
    const max = this.maxDepth;
    const levels = commas.length;
    for (let i = start; i < end; i++) {
      const c = piece.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
      } else if (c === QUOTE) inString = true;
      else if (c === COMMA) {
        if (depth >= 1 && depth <= levels) commas[depth - 1]!.push(i);
      } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
        if (++depth > max) return false;
      } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    return true;
  }

  private feedBytes(piece: Buffer, start: number, end: number): boolean {
    let { depth, inString, escaped } = this;
    const max = this.maxDepth;
    for (let i = start; i < end; i++) {
      const c = piece[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
      } else if (c === QUOTE) inString = true;
      else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
        if (++depth > max) return false;
      } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    return true;
  }

  error() {
    return tooDeep(this.maxDepth);
  }
}

/**
 * Bodies under this many bytes are parsed first and their tree checked (valueWithinDepth);
 * larger ones have their bytes scanned before parsing, as they arrive. The worst a small body
 * can do to JSON.parse is ~64k nested lists, a few MB for a moment; scanning the bytes of every
 * body cost as much as parsing it (2.4 ns a byte: 160 µs of a 67 KB, 100-record request).
 */
export const SCAN_BYTES_FROM = 128 * 1024;

/**
 * Whether a parsed value nests lists and objects no deeper than `maxDepth` (the body itself
 * is level 1, as the byte scan counts). A loop with its own stack, not recursion: the depth
 * is the caller's to choose. Only containers are pushed, so a flat record costs one pass over its values.
 */
export function valueWithinDepth(value: unknown, maxDepth: number): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (maxDepth < 1) return false;
  const stack: object[] = [value];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const depth = depths.pop()!;
    let children: unknown[];
    if (Array.isArray(node)) children = node;
    else {
      // An object's values as one array (a builtin, own keys: all JSON.parse makes) rather
      // than for…in and a keyed read per key: 100 records of 32 fields, 19 µs against 39 µs.
      // Object.values is that fast only once V8 has cached the keys of the object's shape,
      // which the start of a for…in does (and Object.keys does not): 59 µs without it.
      for (const _ in node) break;
      children = Object.values(node);
    }
    for (let i = 0; i < children.length; i++) {
      const child = children[i];
      if (typeof child === 'object' && child !== null) {
        if (depth + 1 > maxDepth) return false;
        stack.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return true;
}

/** valueWithinDepth, or the same 400 the byte scan gives. */
export function checkValueDepth(value: unknown, maxDepth: number = MAX_JSON_DEPTH): void {
  if (!valueWithinDepth(value, maxDepth)) throw tooDeep(maxDepth);
}

/**
 * Refuses a body nested deeper than `maxDepth` before it is parsed: JSON.parse of
 * `[[[[…]]]]` under the body limit builds millions of arrays (~1 GB) and stalls the loop.
 * One pass over the bytes, no allocation. Works on the raw Buffer or the decoded text.
 */
export function checkJsonDepth(body: Buffer | string, maxDepth: number = MAX_JSON_DEPTH): void {
  runSteps(checkJsonDepthSteps(body, maxDepth));
}

/** Characters (or bytes) scanned between two checkpoints: ~1–3 ms of work. */
const SCAN_PIECE = 1 << 20;

/** checkJsonDepth in pieces, for a large body's time slices (threads/time-slices.ts). */
export function* checkJsonDepthSteps(body: Buffer | string, maxDepth: number = MAX_JSON_DEPTH): Steps<void> {
  const scanner = new JsonDepthScanner(maxDepth);
  for (let at = 0; at < body.length; at += SCAN_PIECE) {
    if (!scanner.feed(body, at, Math.min(at + SCAN_PIECE, body.length))) throw scanner.error();
    if (at + SCAN_PIECE < body.length) yield;
  }
}

/**
 * Watches request bodies as they arrive and fails the read of one nested beyond the global
 * cap at the first piece that shows it, so the rest is drained instead of buffered: the
 * attack costs one 64 KB piece, not the ~10 MB body (and its string) per request. The
 * failure reaches the body reader (body-parser and the like) as a stream 'error', which
 * answers 400 once the body is drained; a reader that does not listen for errors is left
 * alone, and the later full checks still refuse the body.
 */
export function refuseDeepBodies(server: Server, maxDepth: number = MAX_JSON_DEPTH): void {
  server.prependListener('request', (req: IncomingMessage) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return;
    // A small body of declared length is cheaper to check after parsing (SCAN_BYTES_FROM);
    // a large one, or one of unknown length, is watched as it arrives.
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) < SCAN_BYTES_FROM) return;
    const scanner = new JsonDepthScanner(maxDepth);
    let state: 'scanning' | 'too-deep' | 'reported' = 'scanning';
    // Uncompressed bytes are the text's brackets: their scan stands for the text's (depthScannedWithin).
    const scan: ArrivalScan | undefined = req.headers['content-encoding'] === undefined ? { maxDepth, within: true } : undefined;
    if (scan) (req as ScannedRequest)[SCANNED] = scan;
    const push = req.push;
    req.push = function (chunk: unknown, encoding?: BufferEncoding): boolean {
      if (state === 'scanning' && (Buffer.isBuffer(chunk) || typeof chunk === 'string') && !scanner.feed(chunk)) {
        state = 'too-deep';
        if (scan) scan.within = false;
      }
      const more = push.call(this, chunk, encoding);
      if (state === 'too-deep' && req.listenerCount('error') > 0) {
        state = 'reported';
        req.push = push;
        req.emit('error', scanner.error());
      }
      return more;
    };
  });
}

interface ArrivalScan {
  maxDepth: number;
  within: boolean;
}
const SCANNED = Symbol('modelyard.arrivalScan');
type ScannedRequest = IncomingMessage & { [SCANNED]?: ArrivalScan };

/**
 * The depth limit a fully read, uncompressed body was already scanned against as it
 * arrived (refuseDeepBodies), so a parser holding it to that limit need not scan it again;
 * undefined when nothing scanned it (no hook on this server, a compressed body) or it went deeper.
 */
export function depthScannedWithin(req: IncomingMessage): number | undefined {
  const scan = (req as ScannedRequest)[SCANNED];
  return scan && req.complete && scan.within ? scan.maxDepth : undefined;
}

/** For body-parser's `verify` hook: runs on the raw bytes, before JSON.parse. */
export function verifyJsonDepth(_req: unknown, _res: unknown, buf: Buffer): void {
  checkJsonDepth(buf, MAX_JSON_DEPTH);
}
