/**
 * A body scanned for depth as it arrived (refuseDeepBodies) is not scanned again by the
 * legacy reader: depthScannedWithin says when that holds, and /get_score on a real app
 * process still refuses, serves and words errors exactly as the full reader does.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBody } from '../../server/read-body.js';
import { startAppProcess, type AppProcess } from '../../testing/app-process.js';
import { depthScannedWithin, MAX_JSON_DEPTH, refuseDeepBodies, SCAN_BYTES_FROM } from './json-depth.js';

const nested = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;

describe('depthScannedWithin, on a real server with refuseDeepBodies', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      readBody(req, 1 << 20, '1mb').then(
        () => res.end(JSON.stringify({ read: true, within: depthScannedWithin(req) ?? null })),
        () => res.end(JSON.stringify({ read: false, within: depthScannedWithin(req) ?? null })),
      );
    });
    refuseDeepBodies(server, 8);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const send = async (body: string | Buffer, headers: Record<string, string> = {}) =>
    (await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })).json()) as { read: boolean; within: number | null };

  // Bodies of a declared length under SCAN_BYTES_FROM are checked after parsing instead.
  const large = (text: string) => text + ' '.repeat(SCAN_BYTES_FROM - text.length);
  const chunked = (text: string) => ({
    body: new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(text)), c.close()) }),
    duplex: 'half',
  });

  it('is the limit for an uncompressed body within it, brackets in strings not counted', async () => {
    expect(await send(large(nested(8)))).toEqual({ read: true, within: 8 });
    expect(await send(large(`{"a": "${'['.repeat(50)}"}`))).toEqual({ read: true, within: 8 });
  });

  it('is undefined for a body deeper than the limit, and for a compressed body (its bytes are not the text)', async () => {
    expect(await send(large(nested(9)))).toEqual({ read: false, within: null });
    expect(await send(gzipSync(large(nested(3))), { 'content-encoding': 'gzip' })).toEqual({ read: true, within: null });
  });

  it('leaves a small body of declared length to the parser, and scans one of unknown length', async () => {
    expect(await send(nested(9))).toEqual({ read: true, within: null });
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, ...chunked(nested(9)) } as RequestInit);
    expect(await res.json()).toEqual({ read: false, within: null });
    const ok = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, ...chunked(nested(8)) } as RequestInit);
    expect(await ok.json()).toEqual({ read: true, within: 8 });
  });
});

describe('/get_score on a real app process, with the arrival scan standing for the parser\'s', () => {
  let app: AppProcess;
  beforeAll(async () => {
    app = await startAppProcess('penguins');
  }, 90_000);
  afterAll(async () => {
    await app?.stop();
  });

  const record = { Island: 'Biscoe', 'Beak Length (mm)': 45.1, 'Beak Depth (mm)': 14.5, 'Flipper Length (mm)': 215, 'Body Mass (g)': 5000, Sex: 'FEMALE' };
  const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(`${app.url}/get_score`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  // {"data": [record], "extra": <n levels>}: the envelope adds one level.
  const withExtra = (levels: number) => `{"data": [${JSON.stringify(record)}], "extra": ${nested(levels)}}`;

  it('serves a body exactly at the limit and refuses one level more, plain or gzipped', async () => {
    const ok = await post(withExtra(MAX_JSON_DEPTH - 1));
    expect(ok.status).toBe(200);
    const answer = (await ok.json()) as { msg: string; data: unknown[] };
    expect(answer.msg).toBe('Successful!');
    expect(answer.data).toHaveLength(1);
    for (const body of [withExtra(MAX_JSON_DEPTH), gzipSync(withExtra(MAX_JSON_DEPTH))]) {
      const res = await post(body, Buffer.isBuffer(body) ? { 'content-encoding': 'gzip' } : {});
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(new RegExp(`deeper than ${MAX_JSON_DEPTH} levels`));
    }
  }, 60_000);

  it('still reads NaN as a missing value and words malformed JSON as before', async () => {
    const nan = await post(`{"data": [${JSON.stringify(record).replace('5000', 'NaN')}]}`);
    expect(nan.status).toBe(200);
    const bad = await post('{"data": [');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^request body is not valid JSON/);
  }, 60_000);
});
