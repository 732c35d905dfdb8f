import type { Steps } from '../../threads/time-slices.js';
import { JsonDepthScanner } from './json-depth.js';

/**
 * JSON.parse of a large body, a piece at a time. One JSON.parse of a 10 MB body of many
 * small lists (`{"instances": [{"x": [1.0]}, …]}`) holds the event loop for 150–350 ms
 * here; the same text parsed as a few hundred pieces of ~64 KB gives the same value with
 * a checkpoint between pieces (threads/time-slices.ts).
 *
 * How: one scan (the depth check's, in pieces) also notes where the commas of the outer
 * levels are. The value is then built top-down: a container larger than a piece is split
 * at its own commas into members, runs of small members are parsed with one JSON.parse
 * each (`[` + run + `]`), large members are split again; below PIECE_LEVELS everything is
 * left to JSON.parse. Only commas, colons and key strings are read here; every value is
 * JSON.parse's, so numbers, strings and escapes come out exactly as JSON.parse makes them.
 * Anything unexpected (invalid JSON, NaN tokens) returns undefined: the caller then parses
 * the whole text the usual way, which words the error (or reads the NaN) as it always did.
 */

/** Bodies from this size on are parsed in pieces. */
export const PIECED_PARSE_BYTES = 1024 * 1024;
/** Text handed to one JSON.parse: ~1 ms of work. */
const PIECE_BYTES = 64 * 1024;
/** Container levels whose commas are noted (body, its lists, their items, their lists). */
const PIECE_LEVELS = 4;

class NotPlain extends Error {}

const WS = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** First index in sorted `list` that is > `after`. */
function firstAfter(list: number[], after: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

class PiecedParser {
  constructor(
    private readonly text: string,
    /** commas[d]: positions of the commas directly inside containers at depth d + 1. */
    private readonly commas: number[][],
  ) {}

  trim(start: number, end: number): [number, number] {
    while (start < end && WS(this.text.charCodeAt(start))) start++;
    while (end > start && WS(this.text.charCodeAt(end - 1))) end--;
    return [start, end];
  }

  private parse(start: number, end: number, wrap?: '[]' | '{}'): unknown {
    try {
      const piece = this.text.slice(start, end);
      return JSON.parse(wrap ? `${wrap[0]}${piece}${wrap[1]}` : piece);
    } catch {
      throw new NotPlain();
    }
  }

  /** The value in [start, end) (trimmed), the container at `depth` levels down. */
  *value(start: number, end: number, depth: number): Steps<unknown> {
    const c = this.text.charCodeAt(start);
    const container = c === 0x5b || c === 0x7b;
    if (!container || end - start <= PIECE_BYTES || depth > PIECE_LEVELS) {
      const v = this.parse(start, end);
      if (end - start > PIECE_BYTES / 4) yield;
      return v;
    }
    const isArray = c === 0x5b;
    if (this.text.charCodeAt(end - 1) !== (isArray ? 0x5d : 0x7d)) throw new NotPlain();
    return yield* this.container(start, end, depth, isArray);
  }

  /**
   * A large container, by its own commas: runs of members that fit a piece are parsed as one
   * list (or object) each, a member larger than a piece on its own. No per-member allocation
   * here: on 10^5–10^6 members that garbage would cost more than the parse.
   */
  private *container(open: number, close: number, depth: number, isArray: boolean): Steps<unknown> {
    const list = this.commas[depth - 1]!;
    const first = firstAfter(list, open);
    const n = firstAfter(list, close - 1) - first; // commas of this container
    // Member i lies between boundary i - 1 and boundary i: the opening bracket, the commas, the closing one.
    const boundary = (i: number) => (i < 0 ? open : i >= n ? close - 1 : list[first + i]!);
    const items: unknown[] = [];
    const fields: Record<string, unknown> = {};
    const keep = (v: unknown) => {
      if (isArray) items.push(v);
      else {
        // As JSON.parse makes it: an own property even for "__proto__"; the last of a duplicate wins.
        for (const key of Object.keys(v as object)) Object.defineProperty(fields, key, { value: (v as Record<string, unknown>)[key], writable: true, enumerable: true, configurable: true });
      }
    };
    let i = 0;
    while (i <= n) {
      const start = boundary(i - 1) + 1;
      let j = i;
      while (j <= n && boundary(j) - start <= PIECE_BYTES) j++;
      if (j > i) {
        // Members i..j-1 as one piece; `[1,,2]`, a trailing comma and the like fail JSON.parse here.
        const run = this.parse(start, boundary(j - 1), isArray ? '[]' : '{}');
        if (isArray) for (const v of run as unknown[]) items.push(v);
        else keep(run);
        i = j;
        yield;
        continue;
      }
      const [s, e] = this.trim(start, boundary(i));
      if (s === e) throw new NotPlain();
      if (isArray) items.push(yield* this.value(s, e, depth + 1));
      else keep({ [this.key(s, e)]: yield* this.memberValue(s, e, depth) });
      i++;
    }
    return isArray ? items : fields;
  }

  /** The key of the member `"key": value` in [s, e). */
  private key(s: number, e: number): string {
    return this.parse(s, this.keyEnd(s, e)) as string;
  }

  private keyEnd(s: number, e: number): number {
    if (this.text.charCodeAt(s) !== 0x22) throw new NotPlain();
    let i = s + 1;
    for (;;) {
      if (i >= e) throw new NotPlain();
      const ch = this.text.charCodeAt(i);
      if (ch === 0x5c) i += 2;
      else if (ch === 0x22) return i + 1;
      else i++;
    }
  }

  /** The value of the member `"key": value` in [s, e), a container at `depth`. */
  private *memberValue(s: number, e: number, depth: number): Steps<unknown> {
    let colon = this.keyEnd(s, e);
    while (colon < e && WS(this.text.charCodeAt(colon))) colon++;
    if (this.text.charCodeAt(colon) !== 0x3a) throw new NotPlain();
    const [vs, ve] = this.trim(colon + 1, e);
    if (vs === ve) throw new NotPlain();
    return yield* this.value(vs, ve, depth + 1);
  }
}

/**
 * The body's value, parsed in pieces with checkpoints between them; throws the depth
 * error as checkJsonDepth does; undefined when the text is not plain JSON (see above).
 */
export function* parseJsonInPieces(text: string, maxDepth: number): Steps<unknown> {
  const scanner = new JsonDepthScanner(maxDepth);
  const commas: number[][] = Array.from({ length: PIECE_LEVELS }, () => []);
  const SCAN = 1 << 20;
  for (let at = 0; at < text.length; at += SCAN) {
    if (!scanner.feedNotingCommas(text, at, Math.min(at + SCAN, text.length), commas)) throw scanner.error();
    yield;
  }
  const parser = new PiecedParser(text, commas);
  const [start, end] = parser.trim(0, text.length);
  if (start === end) return undefined;
  try {
    return yield* parser.value(start, end, 1);
  } catch (err) {
    if (err instanceof NotPlain) return undefined;
    throw err;
  }
}
