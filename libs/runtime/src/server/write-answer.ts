import type { ServerResponse } from 'node:http';
import type { AnswerStream } from '../protocols/shared/answer-stream.js';

/** Text handed to one res.write: large enough that the writes cost nothing, small next to the answer. */
const WRITE_BYTES = 64 * 1024;

/** Resolves when the socket has taken what it holds, or is gone (then the rest is not sent). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * A large answer written a piece at a time with backpressure (protocols/shared/answer-stream.ts):
 * chunked transfer encoding, as its length is not known before the last piece; the encoding
 * keeps to the request's time slices. Headers (content-type and the rest) are set by the
 * caller. An encoder that fails once the head is sent can only cut the answer off: the
 * socket is destroyed, so the caller sees a broken answer rather than a short, valid one.
 */
export async function writeAnswerStream(res: ServerResponse, stream: AnswerStream): Promise<void> {
  const { rest, slicer } = stream;
  let parts: string[] = [stream.first];
  let size = stream.first.length;
  const flush = async () => {
    const ok = res.write(parts.length === 1 ? parts[0]! : parts.join(''));
    parts = [];
    size = 0;
    if (!ok) await drained(res);
  };
  try {
    for (;;) {
      if (res.destroyed) return void rest.return();
      const r = rest.next();
      if (r.done) break;
      if (r.value === undefined) {
        await slicer.pause();
        continue;
      }
      parts.push(r.value);
      size += r.value.length;
      if (size >= WRITE_BYTES) await flush();
    }
    if (size > 0) await flush();
    res.end();
  } catch (err) {
    res.destroy(err as Error);
  }
}
