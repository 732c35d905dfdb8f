/**
 * Large answers are written as pieces (issue 8, finding 4): the pieces join to exactly the
 * text the encoders made whole before (JSON.stringify of the entries, TF Serving's and v2's
 * text), and the server writes them with backpressure to a slow reader, whole.
 */
import { createServer, request, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutputConfig } from '../../config/schema.js';
import { writeAnswerStream } from '../../server/write-answer.js';
import type { NamedTensors } from '../../tensor/tensor.js';
import { runSteps, Slicer } from '../../threads/time-slices.js';
import { encodeScores, scoreReplyPieces } from '../legacy/codec.js';
import { encodePredictResponsePieces } from '../tfserving/response.js';
import { encodeInferResponse, inferResponsePieces } from '../v2/codec.js';
import { joinPieces, streamAnswer, type Pieces } from './answer-stream.js';

const joined = (pieces: Pieces) => runSteps(joinPieces(pieces));

const N = 3000;
const labels = Array.from({ length: N }, (_, i) => ['Adelie', 'Gentoo', 'Chin"strap\u00e9\u2028'][i % 3]!);
const probabilities = Float32Array.from({ length: N * 3 }, (_, i) => (i % 7 === 0 ? NaN : i % 11 === 0 ? -0 : i % 13 === 0 ? Infinity : Math.sin(i)));
const outputs = (): NamedTensors => ({
  label: { dtype: 'string', shape: [N], data: labels.slice() },
  probabilities: { dtype: 'float32', shape: [N, 3], data: probabilities.slice() },
  count: { dtype: 'int64', shape: [N, 1], data: BigInt64Array.from({ length: N }, (_, i) => BigInt(i) * 3n ** 30n) },
  ok: { dtype: 'bool', shape: [N], data: Uint8Array.from({ length: N }, (_, i) => i % 2) },
});

describe('legacy get_score answer as pieces', () => {
  const configs = (classes: string[]): OutputConfig[] => [
    { name: 'label', role: 'label' },
    { name: 'probabilities', role: 'probabilities', classes },
  ] as OutputConfig[];

  it.each([
    ['classes as names', ['Adelie', 'Chinstrap', 'Gentoo'], undefined],
    ['classes JSON.stringify would reorder (integer-like keys)', ['2', '1', '0'], undefined],
    ['duplicate classes', ['a', 'a', 'b'], undefined],
    ['only the probabilities', ['Adelie', 'Chinstrap', 'Gentoo'], 'probabilities'],
    ['only the label', ['Adelie', 'Chinstrap', 'Gentoo'], 'label'],
  ])('%s: exactly JSON.stringify of the whole reply', (_name, classes, only) => {
    const expected = JSON.stringify({ msg: 'Successful!', code: 200, data: encodeScores(outputs(), configs(classes), only) });
    expect(joined(scoreReplyPieces(outputs(), configs(classes), only))).toBe(expected);
  });

  it('no rows, and a row count that ends exactly on a chunk', () => {
    const empty: NamedTensors = { label: { dtype: 'string', shape: [0], data: [] } };
    expect(joined(scoreReplyPieces(empty, []))).toBe(JSON.stringify({ msg: 'Successful!', code: 200, data: [] }));
    const exact: NamedTensors = { label: { dtype: 'string', shape: [2048], data: Array.from({ length: 2048 }, () => 'x') } };
    expect(joined(scoreReplyPieces(exact, []))).toBe(JSON.stringify({ msg: 'Successful!', code: 200, data: encodeScores(exact, []) }));
  });
});

describe('TF Serving and v2 answers as pieces', () => {
  it('v2: exactly JSON.stringify of the response object', () => {
    const order = ['label', 'probabilities', 'count', 'ok'];
    expect(joined(inferResponsePieces('penguins', 2, 'id-é', outputs(), order))).toBe(JSON.stringify(encodeInferResponse('penguins', 2, 'id-é', outputs(), order)));
    expect(joined(inferResponsePieces('penguins', 2, undefined, outputs(), []))).toBe(JSON.stringify(encodeInferResponse('penguins', 2, undefined, outputs(), [])));
  });

  it('TF Serving: rows and columns parse back to the values, in the order asked', () => {
    const order = ['probabilities', 'label'];
    const rows = JSON.parse(joined(encodePredictResponsePieces('row', outputs(), order)).replace(/\bNaN\b/g, 'null').replace(/-?\bInfinity\b/g, '1e999')) as { predictions: { label: string; probabilities: number[] }[] };
    expect(rows.predictions).toHaveLength(N);
    expect(rows.predictions.map((p) => p.label)).toEqual(labels);
    expect(Object.keys(rows.predictions[0]!)).toEqual(order);
    const columns = JSON.parse(joined(encodePredictResponsePieces('columnar', outputs(), order)).replace(/\bNaN\b/g, 'null').replace(/-?\bInfinity\b/g, '1e999')) as { outputs: { label: string[]; probabilities: number[][] } };
    expect(columns.outputs.label).toEqual(labels);
    expect(columns.outputs.probabilities.flat().filter((v, i) => v !== null && Number.isFinite(v) && Math.abs(v - probabilities[i]!) > 1e-6)).toEqual([]);
    expect(JSON.parse(joined(encodePredictResponsePieces('columnar', outputs(), ['label'])))).toEqual({ outputs: labels });
    expect(joined(encodePredictResponsePieces('columnar', outputs(), []))).toBe('{"outputs": {}}');
  });
});

describe('writeAnswerStream on a real socket', () => {
  let server: Server;
  let url: string;
  const rows = 200_000;
  const table: NamedTensors = { label: { dtype: 'string', shape: [rows], data: Array.from({ length: rows }, (_, i) => `label-${i % 17}`) } };

  beforeAll(async () => {
    server = createServer((_req, res) => {
      void streamAnswer(scoreReplyPieces(table, []), new Slicer()).then((stream) => {
        res.setHeader('content-type', 'application/json');
        return writeAnswerStream(res, stream);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('a slow reader gets the whole answer, chunked, as the whole text would have been', async () => {
    const { text, chunked, paused } = await new Promise<{ text: string; chunked: boolean; paused: number }>((resolve, reject) => {
      request(url, (res) => {
        const parts: Buffer[] = [];
        let paused = 0;
        res.on('data', (c: Buffer) => {
          parts.push(c);
          // Read slowly for a while, so that the server's writes meet backpressure.
          if (paused < 20) {
            paused++;
            res.pause();
            setTimeout(() => res.resume(), 5);
          }
        });
        res.on('end', () => resolve({ text: Buffer.concat(parts).toString('utf8'), chunked: res.headers['transfer-encoding'] === 'chunked', paused }));
        res.on('error', reject);
      })
        .on('error', reject)
        .end();
    });
    expect(chunked).toBe(true);
    expect(paused).toBe(20);
    expect(text).toBe(JSON.stringify({ msg: 'Successful!', code: 200, data: encodeScores(table, []) }));
  });
});
