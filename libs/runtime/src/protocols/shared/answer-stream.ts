import { Checkpoints, runSteps, type Slicer, type Steps } from '../../threads/time-slices.js';

/**
 * An answer's JSON as an encoder writes it: a generator that yields the text piece by
 * piece (a string) and pauses at checkpoints (undefined). Joined, the pieces are exactly
 * the text the encoder would have returned whole.
 */
export type Pieces = Generator<string | undefined, void, void>;

/**
 * A large answer on its way out: the server writes it a piece at a time, waiting for the
 * socket to drain (server/write-answer.ts), so only what the socket has not taken yet is
 * held, never the whole text and its bytes (for a 260,000-row answer: 12 MB of text, then
 * 12 MB of bytes, both alive at once).
 */
export interface AnswerStream {
  kind: 'stream';
  /** The first piece, made before anything is sent: the encoder's checks ran for it. */
  first: string;
  rest: Pieces;
  /** The request's time slices, which the writer keeps to. */
  slicer: Slicer;
}

export const isAnswerStream = (body: unknown): body is AnswerStream => typeof body === 'object' && body !== null && (body as AnswerStream).kind === 'stream';

/**
 * A JSON list as pieces: `open`, then `count` items joined by `separator`, then `close`, with
 * a checkpoint each time items worth `weight` elements apiece have filled a time slice.
 * Joined, the same text as `open + items.join(separator) + close`. `open` must not equal
 * `separator` (every caller's ends with its list's "[").
 */
export function* listPieces(open: string, separator: string, close: string, count: number, weight: number, item: (i: number) => string): Pieces {
  const checkpoints = new Checkpoints();
  let parts: string[] = [];
  let head = open;
  for (let i = 0; i < count; i++) {
    parts.push(item(i));
    if (checkpoints.due(weight || 1)) {
      yield head + parts.join(separator);
      head = separator;
      parts = [];
      yield;
    }
  }
  yield (parts.length > 0 ? head + parts.join(separator) : head === separator ? '' : head) + close;
}

/** The pieces joined, with their checkpoints kept: the whole answer as one string. */
export function* joinPieces(pieces: Pieces): Steps<string> {
  const parts: string[] = [];
  for (const piece of pieces) {
    if (piece === undefined) yield;
    else parts.push(piece);
  }
  return parts.join('');
}

/**
 * The answer as it is sent: for a small one (no slicer) the whole text, as before; for a
 * large one a stream, started here up to its first piece, so that an encoder's error is
 * still a clean error answer rather than a cut-off one.
 */
export function answer(pieces: Pieces, slicer: Slicer | undefined): string | Promise<AnswerStream> {
  if (!slicer) return runSteps(joinPieces(pieces));
  return streamAnswer(pieces, slicer);
}

/** A large answer as a stream, started up to its first piece (see answer()). */
export async function streamAnswer(pieces: Pieces, slicer: Slicer): Promise<AnswerStream> {
  for (;;) {
    const r = pieces.next();
    if (r.done) return { kind: 'stream', first: '', rest: pieces, slicer };
    if (r.value !== undefined) return { kind: 'stream', first: r.value, rest: pieces, slicer };
    await slicer.pause();
  }
}
