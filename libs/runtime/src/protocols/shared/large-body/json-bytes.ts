/**
 * A cursor over a JSON body's bytes, for the large-body decoders (see tensors-from-bytes.ts):
 * they read values straight into tensor storage instead of building the JS object tree that
 * JSON.parse makes (10^6 values of a 10 MB body cost ~10× its size in heap).
 *
 * The cursor reads only what those decoders need: structure, numbers, strings, the NaN /
 * Infinity tokens every API accepts. Values come out exactly as JSON.parse makes them:
 * numbers through the exact fast path below or Number() of their text, strings through
 * the same UTF-8 decoding (or JSON.parse itself when they hold escapes). Anything it does
 * not read (invalid JSON, control characters in strings, deep values it was not asked to
 * skip) throws NotHandled, and the caller falls back to the usual path, which words the
 * error exactly as it always did.
 */

/** The body is not one the fast decoder reads: decode it the usual way. */
export class NotHandled extends Error {}

export const notHandled = (): never => {
  throw new NotHandled();
};

export const OPEN_ARRAY = 0x5b;
export const CLOSE_ARRAY = 0x5d;
export const OPEN_OBJECT = 0x7b;
export const CLOSE_OBJECT = 0x7d;
export const QUOTE = 0x22;
export const COMMA = 0x2c;
const COLON = 0x3a;
export const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const DOT = 0x2e;

/** Exact powers of ten: every one up to 1e22 is a double without rounding. */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
/** Digits that surely fit a double exactly (< 2^53). */
const MAX_FAST_DIGITS = 15;

/** Short strings seen in a body (categories, labels), reused instead of made again per value. */
const INTERN_SLOTS = 256;
const INTERN_MAX_BYTES = 32;

export class JsonBytes {
  pos = 0;
  private readonly internKeys: (string | undefined)[] = new Array<string | undefined>(INTERN_SLOTS);

  constructor(readonly bytes: Buffer) {}

  /** Skips whitespace; the next byte (NaN at the end). */
  peek(): number {
    const b = this.bytes;
    let p = this.pos;
    for (;;) {
      const c = b[p];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else {
        this.pos = p;
        return c ?? NaN;
      }
    }
  }

  /** Consumes `c` (after whitespace) or gives up. */
  expect(c: number): void {
    if (this.peek() !== c) notHandled();
    this.pos++;
  }

  /** Consumes `c` if it is next. */
  eat(c: number): boolean {
    if (this.peek() !== c) return false;
    this.pos++;
    return true;
  }

  /**
   * After a member of a container closed by `close`: true if another follows (comma
   * consumed), false at the closing bracket (consumed).
   */
  more(close: number): boolean {
    const c = this.peek();
    this.pos++;
    if (c === COMMA) return true;
    if (c === close) return false;
    return notHandled();
  }

  /** At the end: only whitespace may follow the body's value. */
  end(): void {
    if (!Number.isNaN(this.peek())) notHandled();
  }

  /** An object's key and its colon. */
  key(): string {
    const k = this.string();
    this.expect(COLON);
    return k;
  }

  /**
   * Opens an object that must have members, whose keys the caller reads with uniqueKey:
   * a repeated key (JSON.parse keeps the last) is left to the usual path.
   */
  openMembers(): Set<string> {
    this.expect(OPEN_OBJECT);
    if (this.eat(CLOSE_OBJECT)) notHandled();
    return new Set<string>();
  }

  uniqueKey(seen: Set<string>): string {
    const key = this.key();
    if (seen.has(key)) notHandled();
    seen.add(key);
    return key;
  }

  /** A string value, as JSON.parse gives it; anything else is not handled. */
  string(): string {
    if (this.peek() !== QUOTE) return notHandled();
    const b = this.bytes;
    const start = this.pos + 1;
    let p = start;
    let ascii = true;
    let escaped = false;
    let hash = 0x811c9dc5;
    for (;;) {
      const c = b[p];
      if (c === undefined || c < 0x20) return notHandled();
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        p += 2;
        continue;
      }
      if (c >= 0x80) ascii = false;
      hash = Math.imul(hash ^ c, 0x01000193);
      p++;
    }
    this.pos = p + 1;
    if (escaped) {
      try {
        return JSON.parse(b.toString('utf8', start - 1, p + 1)) as string;
      } catch {
        return notHandled();
      }
    }
    if (!ascii) return b.toString('utf8', start, p);
    if (p - start > INTERN_MAX_BYTES) return b.toString('latin1', start, p);
    const slot = (hash >>> 0) % INTERN_SLOTS;
    const known = this.internKeys[slot];
    if (known !== undefined && known.length === p - start) {
      let same = true;
      for (let i = 0; i < known.length; i++) {
        if (known.charCodeAt(i) !== b[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return known;
    }
    const s = b.toString('latin1', start, p);
    this.internKeys[slot] = s;
    return s;
  }

  /** At a number or a NaN / Infinity / -Infinity token (any other value: false). */
  atNumber(): boolean {
    const c = this.peek();
    return c === MINUS || (c >= ZERO && c <= NINE) || c === 0x4e /* N */ || c === 0x49 /* I */;
  }

  /**
   * A number as JSON.parse reads it (and NaN / ±Infinity as the APIs' own parser does).
   * Up to 15 digits and a power of ten within 22 the value is digits × or ÷ an exact
   * power of ten: one correctly rounded operation on exact operands, so the same double
   * as a correctly rounded conversion of the text (Clinger's fast path). Beyond that, the
   * text goes to Number().
   */
  number(): number {
    this.peek();
    const b = this.bytes;
    const start = this.pos;
    let p = start;
    let negative = false;
    if (b[p] === MINUS) {
      negative = true;
      p++;
    }
    if (b[p] === 0x4e || b[p] === 0x49) return this.special(negative);
    let mantissa = 0;
    let digits = 0;
    let exponent = 0;
    let c = b[p];
    if (c === ZERO) {
      p++;
    } else if (c !== undefined && c > ZERO && c <= NINE) {
      while (c !== undefined && c >= ZERO && c <= NINE) {
        mantissa = mantissa * 10 + (c - ZERO);
        digits++;
        c = b[++p];
      }
    } else return notHandled();
    c = b[p];
    if (c === DOT) {
      c = b[++p];
      if (c === undefined || c < ZERO || c > NINE) return notHandled();
      while (c !== undefined && c >= ZERO && c <= NINE) {
        // Leading zeros of a fraction (0.05) add no significant digit.
        if (mantissa !== 0 || c !== ZERO) digits++;
        mantissa = mantissa * 10 + (c - ZERO);
        exponent--;
        c = b[++p];
      }
    }
    if (c === 0x65 || c === 0x45) {
      c = b[++p];
      let expNegative = false;
      if (c === 0x2b || c === MINUS) {
        expNegative = c === MINUS;
        c = b[++p];
      }
      if (c === undefined || c < ZERO || c > NINE) return notHandled();
      let e = 0;
      while (c !== undefined && c >= ZERO && c <= NINE) {
        if (e < 1e6) e = e * 10 + (c - ZERO);
        c = b[++p];
      }
      exponent += expNegative ? -e : e;
    }
    this.pos = p;
    if (digits <= MAX_FAST_DIGITS && exponent >= -22 && exponent <= 22) {
      const v = exponent < 0 ? mantissa / POW10[-exponent]! : mantissa * POW10[exponent]!;
      return negative ? -v : v;
    }
    return Number(b.toString('latin1', start, p));
  }

  private special(negative: boolean): number {
    const b = this.bytes;
    const p = this.pos + (negative ? 1 : 0);
    if (!negative && b.toString('latin1', p, p + 3) === 'NaN') {
      this.pos = p + 3;
      return NaN;
    }
    if (b.toString('latin1', p, p + 8) === 'Infinity') {
      this.pos = p + 8;
      return negative ? -Infinity : Infinity;
    }
    return notHandled();
  }

  /** `null`, consumed if next. */
  eatNull(): boolean {
    const b = this.bytes;
    const p = this.pos;
    if (this.peek() === 0x6e && b[p + 1] === 0x75 && b[p + 2] === 0x6c && b[p + 3] === 0x6c) {
      this.pos = p + 4;
      return true;
    }
    return false;
  }

  /**
   * Skips one value the decoder does not need (an extra field of a record): scalars, and
   * lists or objects nested at most `maxDepth` levels; deeper ones are left to the usual
   * path, which also checks them against the depth limit.
   */
  skip(maxDepth = 4): void {
    const c = this.peek();
    if (c === QUOTE) {
      this.string();
      return;
    }
    if (this.atNumber()) {
      this.number();
      return;
    }
    if (this.eatNull()) return;
    const b = this.bytes;
    const p = this.pos;
    if (b.toString('latin1', p, p + 4) === 'true') {
      this.pos = p + 4;
      return;
    }
    if (b.toString('latin1', p, p + 5) === 'false') {
      this.pos = p + 5;
      return;
    }
    if (maxDepth <= 0 || (c !== OPEN_ARRAY && c !== OPEN_OBJECT)) notHandled();
    this.pos++;
    const close = c === OPEN_ARRAY ? CLOSE_ARRAY : CLOSE_OBJECT;
    if (this.eat(close)) return;
    do {
      if (close === CLOSE_OBJECT) this.key();
      this.skip(maxDepth - 1);
    } while (this.more(close));
  }
}
