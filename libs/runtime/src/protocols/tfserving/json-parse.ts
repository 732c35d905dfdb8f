import { invalidArgument } from '../../errors.js';
import { runSteps, type Steps } from '../../threads/time-slices.js';
import { checkJsonDepthSteps, checkValueDepth, MAX_JSON_DEPTH, SCAN_BYTES_FROM } from '../shared/json-depth.js';
import { parseJsonInPieces, PIECED_PARSE_BYTES } from '../shared/json-pieces.js';

/**
 * Request bodies as TF Serving (RapidJSON) reads them. JSON.parse refuses the bare NaN,
 * Infinity and -Infinity tokens TF Serving accepts, rounds int64 beyond 2^53, and forgets
 * whether a number was written `1` or `1.0` (TF Serving refuses `1.0` for an int input).
 * No maintained npm parser keeps numbers lossless AND takes those tokens (lossless-json
 * rejects NaN), so this file has its own: JSON.parse stays the fast path, and the parser
 * below runs only when that throws or when the caller needs lossless numbers.
 */

/** A number as written, for integer inputs: exact digits and the integer-literal test. */
export class JsonNumber {
  constructor(readonly text: string) {}
  get isIntegerLiteral(): boolean {
    return /^-?\d+$/.test(this.text);
  }
  toNumber(): number {
    return Number(this.text);
  }
}

export type JsonValue = null | boolean | number | string | JsonNumber | JsonValue[] | { [key: string]: JsonValue };

export interface ParseOptions {
  /** Numbers come back as JsonNumber instead of number. */
  lossless?: boolean;
  /**
   * Deepest nesting of lists and objects accepted (see maxBodyDepth: the model's rank plus
   * the envelope); checked before anything is built. The global cap when absent.
   */
  maxDepth?: number;
  /**
   * The depth limit the text's bytes were already scanned against as they arrived
   * (depthScannedWithin); when it is no looser than maxDepth, they are not scanned again.
   */
  scannedWithin?: number;
}

const parseError = (message: string, offset?: number) =>
  invalidArgument(`JSON Parse error: ${message}${offset === undefined ? '' : ` at offset: ${offset}`}`);

export function parseTfServingBody(text: string, options: ParseOptions = {}): JsonValue {
  return runSteps(parseTfServingBodySteps(text, options));
}

/**
 * parseTfServingBody with checkpoints for a large body's time slices (threads/time-slices.ts):
 * the depth scan goes in pieces, the own parser pauses every few thousand values; only
 * JSON.parse itself (tens of ms for 10 MB) runs in one piece.
 */
export function* parseTfServingBodySteps(text: string, options: ParseOptions = {}): Steps<JsonValue> {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  // Whether JSON.parse has still to be tried: once it refused the text, the own parser reads it.
  let plain = !options.lossless;
  if (plain && text.length < SCAN_BYTES_FROM) {
    // Small: parse, then check the tree's depth (cheaper than scanning the text first).
    let value: JsonValue | undefined;
    try {
      value = JSON.parse(text) as JsonValue;
    } catch {
      // NaN/Infinity tokens, or an error to be described: the full path below.
    }
    if (value !== undefined) {
      checkValueDepth(value, maxDepth);
      return value;
    }
    plain = false;
  }
  if (plain && text.length >= PIECED_PARSE_BYTES) {
    // A large body in pieces (json-pieces.ts); if it is not plain JSON, the usual way below.
    const value = (yield* parseJsonInPieces(text, maxDepth)) as JsonValue | undefined;
    if (value !== undefined) return value;
  } else if (options.scannedWithin === undefined || options.scannedWithin > maxDepth) yield* checkJsonDepthSteps(text, maxDepth);
  yield;
  if (plain) {
    let value: JsonValue | undefined;
    try {
      value = JSON.parse(text) as JsonValue;
    } catch {
      // NaN/Infinity tokens, or an error to be described in RapidJSON's words below.
    }
    if (value !== undefined) {
      yield; // JSON.parse took a slice of its own
      return value;
    }
  }
  return yield* new Parser(text, options.lossless ?? false).parseDocument();
}

/** Values the own parser reads between two checkpoints. */
const VALUES_PER_CHECKPOINT = 4096;

type Container = { kind: 'array'; value: JsonValue[] } | { kind: 'object'; value: Record<string, JsonValue>; key: string | undefined };

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const SPECIAL = /-?Infinity|NaN/y;
const WHITESPACE = /[ \t\n\r]*/y;

/** Iterative (an explicit stack), so deep nesting cannot overflow the call stack. */
class Parser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly lossless: boolean,
  ) {}

  *parseDocument(): Steps<JsonValue> {
    this.skipWhitespace();
    if (this.pos >= this.text.length) throw parseError('The document is empty.');
    const stack: Container[] = [];
    let values = 0;
    for (;;) {
      if (++values === VALUES_PER_CHECKPOINT) {
        values = 0;
        yield;
      }
      this.skipWhitespace();
      const top = stack.at(-1);
      let value: JsonValue;
      if (top?.kind === 'object' && top.key === undefined && this.peek() === '}' && Object.keys(top.value).length === 0) {
        this.pos++;
        value = stack.pop()!.value;
      } else if (top?.kind === 'array' && top.value.length === 0 && this.peek() === ']') {
        this.pos++;
        value = stack.pop()!.value;
      } else {
        if (top?.kind === 'object') {
          if (this.peek() !== '"') throw parseError('Missing a name for object member.', this.pos);
          top.key = this.parseString();
          this.skipWhitespace();
          if (this.peek() !== ':') throw parseError('Missing a colon after a name of object member.', this.pos);
          this.pos++;
          this.skipWhitespace();
        }
        const c = this.peek();
        if (c === '[' || c === '{') {
          this.pos++;
          stack.push(c === '[' ? { kind: 'array', value: [] } : { kind: 'object', value: {}, key: undefined });
          continue;
        }
        value = this.parseScalar();
      }
      const done = this.afterValue(stack, value);
      if (done !== undefined) return done.value;
    }
  }

  /**
   * Attaches a finished value to its container, then consumes commas and closing
   * brackets. Returns the document once the outermost container closes.
   */
  private afterValue(stack: Container[], value: JsonValue): { value: JsonValue } | undefined {
    for (;;) {
      const container = stack.at(-1);
      if (!container) return { value };
      this.attach(container, value);
      this.skipWhitespace();
      const next = this.peek();
      if (next === ',') {
        this.pos++;
        return undefined;
      }
      const closer = container.kind === 'array' ? ']' : '}';
      if (next !== closer) {
        throw parseError(container.kind === 'array' ? "Missing a comma or ']' after an array element." : "Missing a comma or '}' after an object member.", this.pos);
      }
      this.pos++;
      value = stack.pop()!.value;
    }
  }

  private parseScalar(): JsonValue {
    const c = this.peek();
    if (c === '"') return this.parseString();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.parseNumber();
  }

  private attach(container: Container, value: JsonValue): void {
    if (container.kind === 'array') container.value.push(value);
    else {
      container.value[container.key!] = value;
      container.key = undefined;
    }
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private skipWhitespace(): void {
    WHITESPACE.lastIndex = this.pos;
    WHITESPACE.test(this.text);
    this.pos = WHITESPACE.lastIndex;
  }

  private parseNumber(): number | JsonNumber {
    for (const pattern of [SPECIAL, NUMBER]) {
      pattern.lastIndex = this.pos;
      const match = pattern.exec(this.text);
      if (match) {
        this.pos += match[0].length;
        return this.lossless ? new JsonNumber(match[0]) : Number(match[0]);
      }
    }
    throw parseError('Invalid value.', this.pos);
  }

  private parseString(): string {
    const start = this.pos;
    // A string is valid JSON on its own: find its end, then let JSON.parse unescape it.
    let i = start + 1;
    for (;;) {
      const c = this.text.charCodeAt(i);
      if (Number.isNaN(c)) throw parseError('Missing a closing quotation mark in string.', start);
      if (c === 0x5c) i += 2;
      else if (c === 0x22) break;
      else if (c < 0x20) throw parseError('Invalid encoding in string.', i);
      else i++;
    }
    this.pos = i + 1;
    try {
      return JSON.parse(this.text.slice(start, this.pos)) as string;
    } catch {
      throw parseError('Invalid escape character in string.', start);
    }
  }
}
