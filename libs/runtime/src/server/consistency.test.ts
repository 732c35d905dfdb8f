/**
 * What every API does the same way: typed errors worded per protocol (no TF Serving text
 * on v2 or /get_score), NaN/Infinity accepted everywhere, one charset rule, OPTIONS and
 * CORS, 503 while a model has no version available, backend failures classified once.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendFailure, classifyBackendError, invalidArgument } from '../errors.js';
import { copyModel, loadReference, startTestServer, type Reference } from '../testing/fixtures.js';
import { createModelServer, type ModelServer } from './model-server.js';

const penguin = { Island: 'Biscoe', 'Beak Length (mm)': 45.1, 'Beak Depth (mm)': 14.5, 'Flipper Length (mm)': 215, 'Body Mass (g)': 5000, Sex: 'FEMALE' };
const v2Inputs = (bodyMass: string) =>
  `{"inputs": [
    {"name": "island", "shape": [1, 1], "datatype": "BYTES", "data": ["Biscoe"]},
    {"name": "bill_length_mm", "shape": [1, 1], "datatype": "FP32", "data": [45.1]},
    {"name": "bill_depth_mm", "shape": [1, 1], "datatype": "FP32", "data": [14.5]},
    {"name": "flipper_length_mm", "shape": [1, 1], "datatype": "FP32", "data": [215]},
    {"name": "body_mass_g", "shape": [1, 1], "datatype": "FP32", "data": [${bodyMass}]},
    {"name": "sex", "shape": [1, 1], "datatype": "BYTES", "data": ["FEMALE"]}]}`;

let server: ModelServer;
let cors: ModelServer;
let empty: ModelServer;
let ref2: Reference;
beforeAll(async () => {
  server = await startTestServer({ models: ['penguins', 'iris'] });
  cors = await startTestServer({ models: ['iris'], corsAllowOrigin: 'https://app.example' });
  // A model whose folder holds no version yet: it starts, not ready, and keeps polling.
  empty = await startTestServer({ models: ['penguins'], modelsDir: await copyModel('penguins', []) });
  ref2 = await loadReference('penguins', 2);
});
afterAll(() => Promise.all([server.close(), cors.close(), empty.close()]));

const post = (s: ModelServer, path: string, body: string, type = 'application/json') => request(s.app).post(path).set('content-type', type).send(body);

describe('typed errors, worded by each protocol', () => {
  it.each([
    ['/v1/models/nope:predict', '{"instances": [1]}', 404, 'Servable not found for request: Latest(nope)'],
    ['/v1/models/nope/versions/3:predict', '{"instances": [1]}', 404, 'Servable not found for request: Specific(nope, 3)'],
    ['/v1/models/penguins/versions/9:predict', '{"instances": [1]}', 404, 'Servable not found for request: Specific(penguins, 9)'],
    ['/v1/models/penguins/labels/beta:predict', '{"instances": [1]}', 400, 'Unrecognized servable version label: beta'],
  ])('TF Serving keeps its texts: %s', async (path, body, status, message) => {
    const res = await post(server, path, body);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error: message });
  });

  it.each([
    ['/v2/models/nope/infer', 404, 'model "nope" is not served here'],
    ['/v2/models/penguins/versions/9/infer', 404, 'version 9 of model "penguins" is not loaded'],
    ['/v2/models/penguins/versions/beta/infer', 400, 'model "penguins" has no version label "beta"'],
  ])('v2 words its own: %s', async (path, status, message) => {
    const res = await post(server, path, v2Inputs('5000'));
    expect(res.status).toBe(status);
    expect(res.body.error).toBe(message);
    expect(res.text).not.toMatch(/Servable|Unrecognized servable/);
  });

  it('GET v2 metadata and readiness use the same words', async () => {
    const res = await request(server.app).get('/v2/models/nope');
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('model "nope" is not served here');
  });

  it('while no version is available: 503 on every API, each in its own words, and not ready', async () => {
    const v1 = await post(empty, '/v1/models/penguins:predict', '{"instances": [1]}');
    expect(v1.status).toBe(503);
    expect(v1.body.error).toMatch(/^Servable not found for request: Latest\(penguins\); no version of the model is available yet, retry later$/);

    const v2 = await post(empty, '/v2/models/penguins/infer', v2Inputs('5000'));
    expect(v2.status).toBe(503);
    expect(v2.body.error).toBe('model "penguins" has no version available yet (still loading, or no version could be loaded); retry later');

    const legacy = await post(empty, '/get_score', JSON.stringify({ data: [penguin] }));
    expect(legacy.status).toBe(503);
    expect(legacy.body).toMatchObject({ code: 503, error: v2.body.error, msg: v2.body.error });
    for (const res of [v2, legacy]) expect(res.text).not.toMatch(/Servable/);

    expect((await request(empty.app).get('/v2/health/ready')).status).toBe(503);
    expect((await request(empty.app).get('/health')).status).toBe(503);
    expect((await request(empty.app).get('/v2/health/live')).status).toBe(200);
  });

  it('onnxruntime failures that are not the caller\'s fault are 5xx; the rest stay 400', () => {
    const oom = classifyBackendError(invalidArgument("the model refused the input: [ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Exception during initialization: std::bad_alloc"));
    expect(oom).toBeInstanceOf(BackendFailure);
    expect((oom as BackendFailure).httpStatus).toBe(500);
    const alloc = classifyBackendError(invalidArgument('the model refused the input: Failed to allocate memory for requested buffer of size 8589934592'));
    expect((alloc as BackendFailure).httpStatus).toBe(500);
    const shape = invalidArgument('the model refused the input: Got invalid dimensions for input: features for the following indices index: 1 Got: 3 Expected: 4');
    expect(classifyBackendError(shape)).toBe(shape);
  });
});

describe('NaN, Infinity and -Infinity on every JSON API', () => {
  it('/get_score: NaN is a missing value, as null is', async () => {
    const body = `{"data": [{"Island": "Biscoe", "Beak Length (mm)": 45.1, "Beak Depth (mm)": 14.5, "Flipper Length (mm)": 215, "Body Mass (g)": NaN, "Sex": "FEMALE"}]}`;
    const nan = await post(server, '/get_score', body);
    expect(nan.status).toBe(200);
    const nul = await post(server, '/get_score', JSON.stringify({ data: [{ ...penguin, 'Body Mass (g)': null }] }));
    expect(nan.body.data).toEqual(nul.body.data);

    // The reference's records with missing values, sent the way Python's json.dumps writes them.
    const withMissing = ref2.records.filter((r) => Object.values(r).some((v) => v === null));
    expect(withMissing.length).toBeGreaterThan(0);
    const text = JSON.stringify({ data: withMissing }).replace(/"(Beak Length \(mm\)|Beak Depth \(mm\)|Flipper Length \(mm\)|Body Mass \(g\))":null/g, '"$1":NaN');
    expect(text).toContain('NaN');
    const res = await request(server.app).post('/get_score').set('content-type', 'application/json').send(text);
    expect(res.status).toBe(200);
    // Version 2 (the latest) answers /get_score: its labels are scikit-learn's for these records.
    const expected = ref2.records.flatMap((r, i) => (withMissing.includes(r) ? [ref2.outputs['label']![i]] : []));
    expect(res.body.data.map((d: { label: string }) => d.label)).toEqual(expected);
  });

  it('v2: NaN in FP32 data is a missing value; Infinity and -Infinity are taken', async () => {
    const nan = await post(server, '/v2/models/penguins/versions/1/infer', v2Inputs('NaN'));
    expect(nan.status).toBe(200);
    const viaLegacy = await post(server, '/get_score', JSON.stringify({ data: [{ ...penguin, 'Body Mass (g)': null }] }));
    expect(viaLegacy.status).toBe(200);
    const label = nan.body.outputs.find((o: { name: string }) => o.name === 'label').data[0];
    expect(['Adelie', 'Chinstrap', 'Gentoo']).toContain(label);
    for (const token of ['Infinity', '-Infinity']) expect((await post(server, '/v2/models/penguins/infer', v2Inputs(token))).status).toBe(200);
  });

  it('still refuses what is not JSON, in each API\'s words', async () => {
    expect((await post(server, '/get_score', '{"data": [nan]}')).body.error).toMatch(/^request body is not valid JSON: /);
    expect((await post(server, '/v2/models/iris/infer', '{"inputs": NaNa}')).body.error).toMatch(/^request body is not valid JSON: /);
  });
});

/** Raw bytes on a real socket (supertest would serialize a Buffer sent as JSON). */
async function rawPost(s: ModelServer, path: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; body: { error?: string; data?: { label: string }[] } }> {
  const srv = createServer(s.app);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const res = await fetch(`http://127.0.0.1:${(srv.address() as AddressInfo).port}${path}`, { method: 'POST', headers, body });
    return { status: res.status, body: (await res.json()) as { error?: string } };
  } finally {
    await new Promise((r) => srv.close(r));
  }
}

describe('charsets, decided once for all three APIs', () => {
  const latin1Body = (s: string) => Buffer.from(s, 'latin1');
  it.each([
    ['/v1/models/penguins/versions/1:predict', '{"instances": [{"island": "Biscoe", "bill_length_mm": 45.1, "bill_depth_mm": 14.5, "flipper_length_mm": 215, "body_mass_g": 5000, "sex": "FEMALE"}]}'],
    ['/v2/models/penguins/versions/1/infer', v2Inputs('5000')],
    ['/get_score', JSON.stringify({ data: [penguin] })],
  ])('%s: utf-8 and latin1 are taken, utf-16 is a 415 naming it', async (path, body) => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'application/json; charset=ISO-8859-1']) {
      const res = await rawPost(server, path, { 'content-type': type }, latin1Body(body));
      expect(res.status, type).toBe(200);
    }
    const res = await post(server, path, body, 'application/json; charset=utf-16');
    expect(res.status).toBe(415);
    expect(res.body.error).toBe('unsupported charset "utf-16": send utf-8 or latin1');
  });

  it('latin1 bytes are read as latin1, not mangled', async () => {
    // "Biscoé" in latin1 is one byte for é; as an unknown category the model still answers.
    // "é" is one byte in latin1 (0xE9), which read as utf-8 would become U+FFFD; the error
    // echoes the value, so it shows how the body was decoded.
    const body = JSON.stringify({ data: [{ ...penguin, 'Body Mass (g)': 'lourd é' }] });
    const asLatin1 = await rawPost(server, '/get_score', { 'content-type': 'application/json; charset=latin1' }, latin1Body(body));
    expect(asLatin1.status).toBe(400);
    expect(asLatin1.body.error).toContain('got the string "lourd é"');
    const asUtf8 = await rawPost(server, '/get_score', { 'content-type': 'application/json' }, Buffer.from(body, 'utf8'));
    expect(asUtf8.body.error).toBe(asLatin1.body.error);
  });
});

describe('OPTIONS and CORS', () => {
  it('OPTIONS answers 204 with Allow, and no CORS headers unless enabled', async () => {
    const post = await request(server.app).options('/v1/models/penguins:predict');
    expect(post.status).toBe(204);
    expect(post.headers['allow']).toBe('POST, OPTIONS');
    expect(post.headers['access-control-allow-origin']).toBeUndefined();
    const get = await request(server.app).options('/v2/models/penguins');
    expect(get.status).toBe(204);
    expect(get.headers['allow']).toBe('GET, HEAD, OPTIONS');
    expect((await request(server.app).options('/nowhere')).status).toBe(404);
  });

  it('with CORS_ALLOW_ORIGIN: preflights and answers carry the CORS headers', async () => {
    const pre = await request(cors.app)
      .options('/v2/models/iris/infer')
      .set('origin', 'https://app.example')
      .set('access-control-request-method', 'POST')
      .set('access-control-request-headers', 'content-type');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(pre.headers['access-control-allow-methods']).toBe('POST, OPTIONS');
    expect(pre.headers['access-control-allow-headers']).toBe('content-type');
    const res = await post(cors, '/v2/models/iris/infer', JSON.stringify({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] }));
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(res.headers['access-control-expose-headers']).toMatch(/x-request-id/);
    expect((await request(cors.app).get('/v2/models/iris')).headers['access-control-allow-origin']).toBe('https://app.example');
  });
});

describe('the hot path keeps what the tests pin', () => {
  it('request ids are taken from x-request-id or made, and echoed, on predictions too', async () => {
    const given = await post(server, '/get_score', JSON.stringify({ data: [penguin] })).set('x-request-id', 'req-42');
    expect(given.headers['x-request-id']).toBe('req-42');
    const made = await post(server, '/v2/models/nope/infer', '{}');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a body over the limit is a 413 naming the limit, before it is parsed', async () => {
    const small = await startTestServer({ models: ['iris'], bodyLimit: '1kb' });
    try {
      const res = await post(small, '/v2/models/iris/infer', JSON.stringify({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }], pad: 'x'.repeat(2000) }));
      expect(res.status).toBe(413);
      expect(res.body).toEqual({ error: 'request body is larger than the limit of 1kb' });
    } finally {
      await small.close();
    }
  });

  it('gzip bodies are inflated (and count against the limit inflated)', async () => {
    const { gzipSync } = await import('node:zlib');
    const res = await rawPost(server, '/get_score', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, gzipSync(JSON.stringify({ data: [penguin] })));
    expect(res.status).toBe(200);
    expect(res.body.data![0]!.label).toBe('Gentoo');
  });
});

describe('a label outside the version policy', () => {
  it('is logged at load and shown in the status API', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    // latest 1 serves only version 2; "stable" still points at 1.
    const dir = await copyModel('penguins', [1, 2], { versionPolicy: { latest: { numVersions: 1 } }, labels: { stable: 1, canary: 2 } });
    const s = await createModelServer({ modelsDir: dir, models: ['penguins'], logger });
    try {
      const warning = lines.map((l) => JSON.parse(l) as { msg: string; label?: string }).find((l) => l.label === 'stable');
      expect(warning?.msg).toBe('label "stable" points at version 1, which is not served: it is outside the version policy or not on disk');
      const status = (await request(s.app).get('/v1/models/penguins')).body.model_version_status;
      expect(status).toEqual([
        { version: '2', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
        { version: '1', state: 'END', status: { error_code: 'UNKNOWN', error_message: warning!.msg } },
      ]);
      expect((await post(s, '/v1/models/penguins/labels/stable:predict', '{"instances": [1]}')).body.error).toBe('Servable not found for request: Specific(penguins, 1)');
      expect(lines.some((l) => l.includes('"label":"canary"'))).toBe(false);
    } finally {
      await s.close();
    }
  });
});
