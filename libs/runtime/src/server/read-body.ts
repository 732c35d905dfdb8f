import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { BodyRefused, ServingError } from '../errors.js';

/** Declared lengths from this size on are read into one buffer allocated up front. */
const PREALLOCATE_BYTES = 256 * 1024;

/**
 * The request body as bytes, never more than `limit` (after decompression): what
 * body-parser did for the hot path, without its per-request setup. A declared length
 * over the limit is refused before a byte is read.
 */
export function readBody(req: IncomingMessage, limit: number, limitText: string): Promise<Buffer> {
  const tooLarge = () => new BodyRefused(413, `request body is larger than the limit of ${limitText}`);
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge());

  let source: Readable = req;
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'gzip' || encoding === 'x-gzip') source = req.pipe(createGunzip());
  else if (encoding === 'deflate') source = req.pipe(createInflate());
  else if (encoding === 'br') source = req.pipe(createBrotliDecompress());
  else if (encoding !== 'identity') return Promise.reject(new BodyRefused(415, `unsupported content encoding "${encoding}"`));

  // A large body of known length is copied into one buffer as it arrives: collecting its
  // chunks and concatenating them at the end held it twice (issue 8: a 10 MB body's memory).
  const whole = source === req && declared >= PREALLOCATE_BYTES ? Buffer.allocUnsafe(declared) : undefined;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: Error | undefined) => {
      if (done) return;
      done = true;
      source.off('data', onData);
      if (err) {
        if (source !== req) req.unpipe();
        // Drain what is left so the connection can carry the error answer (and be reused).
        req.resume();
        reject(err);
      } else if (whole) resolve(size === whole.length ? whole : whole.subarray(0, size));
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      if (whole && size + chunk.length <= whole.length) {
        chunk.copy(whole, size);
        size += chunk.length;
        return;
      }
      size += chunk.length;
      if (size > limit) return finish(tooLarge());
      if (whole) return finish(new BodyRefused(400, 'request body is longer than its Content-Length'));
      chunks.push(chunk);
    };
    source.on('data', onData);
    source.once('end', () => finish(undefined));
    // A ServingError is a refusal raised while the body streams in (protocols/shared/json-depth.ts).
    source.once('error', (err) => finish(err instanceof ServingError ? err : source === req ? new BodyRefused(400, 'request aborted by the client') : new BodyRefused(400, `request body cannot be decompressed: ${err.message}`)));
    req.once('aborted', () => finish(new BodyRefused(400, 'request aborted by the client')));
  });
}
