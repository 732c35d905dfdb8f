/**
 * The binary tensor data extension against the real penguins and iris models: a binary
 * request answers exactly what the same request in JSON answers, and both match
 * scikit-learn's references; malformed bodies are 400s naming what is wrong.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelServer } from '../../server/model-server.js';
import type { Signature } from '../../tensor/tensor.js';
import { decodeBinaryInferRequest } from './binary-codec.js';
import { loadReference, maxAbsDiff, PENGUIN_INPUTS, PENGUIN_STRING_INPUTS as STRING_INPUTS, startTestServer, type Reference } from '../../testing/fixtures.js';
import { thrown } from '../../testing/thrown.js';


/** BYTES elements as the extension lays them out: u32le length, then the UTF-8 bytes. */
function bytesTensor(values: string[]): Buffer {
  return Buffer.concat(values.flatMap((v) => {
    const b = Buffer.from(v, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(b.length);
    return [len, b];
  }));
}

const fp32 = (values: number[]) => Buffer.from(new Float32Array(values).buffer);

/** A request body: JSON header, then every tensor's bytes in order. */
function binaryBody(header: object, tensors: Buffer[]): { body: Buffer; headerLength: number } {
  const json = Buffer.from(JSON.stringify(header));
  return { body: Buffer.concat([json, ...tensors]), headerLength: json.length };
}

/** The penguins references as binary inputs (null → "" / NaN, as the JSON path feeds them). */
function penguinInputs(records: Record<string, unknown>[]) {
  const tensors: Buffer[] = [];
  const inputs = Object.entries(PENGUIN_INPUTS).map(([name, field]) => {
    const bytes = STRING_INPUTS.has(name)
      ? bytesTensor(records.map((r) => (r[field] as string | null) ?? ''))
      : fp32(records.map((r) => (r[field] as number | null) ?? NaN));
    tensors.push(bytes);
    return { name, shape: [records.length, 1], datatype: STRING_INPUTS.has(name) ? 'BYTES' : 'FP32', parameters: { binary_data_size: bytes.length } };
  });
  return { inputs, tensors };
}

/** Splits a binary response into its JSON header and each binary output's bytes. */
function splitResponse(body: Buffer, headerLength: number) {
  const header = JSON.parse(body.toString('utf8', 0, headerLength)) as {
    outputs: { name: string; datatype: string; shape: number[]; data?: unknown[]; parameters?: { binary_data_size?: number } }[];
  };
  const bytes: Record<string, Buffer> = {};
  let at = headerLength;
  for (const o of header.outputs) {
    const size = o.parameters?.binary_data_size;
    if (size === undefined) continue;
    bytes[o.name] = body.subarray(at, at + size);
    at += size;
  }
  expect(at).toBe(body.length);
  return { header, bytes };
}

function readStrings(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at < bytes.length; ) {
    const len = bytes.readUInt32LE(at);
    out.push(bytes.toString('utf8', at + 4, at + 4 + len));
    at += 4 + len;
  }
  return out;
}

const asFloats = (b: Buffer) => Array.from(new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)));

let server: ModelServer;
let penguins: Reference;
let iris: Reference;

beforeAll(async () => {
  server = await startTestServer({ models: ['penguins', 'iris'] });
  [penguins, iris] = await Promise.all([loadReference('penguins', 1), loadReference('iris', 1)]);
});
afterAll(() => server.close());

const postBinary = (path: string, body: Buffer, headerLength: number | string) =>
  request(server.app)
    .post(path)
    .set('content-type', 'application/octet-stream')
    .set('inference-header-content-length', String(headerLength))
    .send(body)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });

describe('decodeBinaryInferRequest', () => {
  it('copies every input into one buffer, each aligned for its type whatever the bytes before it', () => {
    const signature: Signature = {
      inputs: [
        { name: 'flags', dtype: 'int8', shape: [-1] },
        { name: 'w', dtype: 'float64', shape: [-1] },
        { name: 'tag', dtype: 'string', shape: [-1] },
        { name: 'n', dtype: 'int32', shape: [-1] },
      ],
      outputs: [],
    };
    const flags = Buffer.from(new Int8Array([1, -1, 7]).buffer);
    const w = Buffer.from(new Float64Array([0.25, -3.5]).buffer);
    const tag = bytesTensor(['é', 'xyz']);
    const n = Buffer.from(new Int32Array([42]).buffer);
    const { body, headerLength } = binaryBody(
      {
        inputs: [
          { name: 'flags', shape: [3], datatype: 'INT8', parameters: { binary_data_size: flags.length } },
          { name: 'w', shape: [2], datatype: 'FP64', parameters: { binary_data_size: w.length } },
          { name: 'tag', shape: [2], datatype: 'BYTES', parameters: { binary_data_size: tag.length } },
          { name: 'n', shape: [1], datatype: 'INT32', parameters: { binary_data_size: n.length } },
        ],
      },
      [flags, w, tag, n],
    );
    // Odd offsets in the body: 3 bytes of INT8 put the FP64 bytes off their alignment.
    const { inputs } = decodeBinaryInferRequest(body, String(headerLength), signature).request;
    const [f, d, i] = [inputs['flags']!.data as Int8Array, inputs['w']!.data as Float64Array, inputs['n']!.data as Int32Array];
    expect([...f]).toEqual([1, -1, 7]);
    expect([...d]).toEqual([0.25, -3.5]);
    expect([...i]).toEqual([42]);
    expect(inputs['tag']!.data).toEqual(['é', 'xyz']);
    expect(d.buffer).toBe(f.buffer);
    expect(i.buffer).toBe(f.buffer);
    expect(d.byteOffset % 8).toBe(0);
    // A copy, not a view of the request body.
    expect(d.buffer).not.toBe(body.buffer);
  });
});

describe('decodeBinaryInferRequest, BYTES elements', () => {
  const signature: Signature = { inputs: [{ name: 's', dtype: 'string', shape: [-1] }], outputs: [] };
  const decodeStrings = (tensor: Buffer, count: number) => {
    const { body, headerLength } = binaryBody({ inputs: [{ name: 's', shape: [count], datatype: 'BYTES', parameters: { binary_data_size: tensor.length } }] }, [tensor]);
    return decodeBinaryInferRequest(body, String(headerLength), signature).request.inputs['s']!.data;
  };

  it.each([
    ['ASCII, an empty one among them', ['rain', '', 'sun', 'x y', '{"a": 1}']],
    ['a long one (its length byte is over 127)', ['rain', 'a'.repeat(200), 'sun']],
    ['UTF-8 beside ASCII', ['mar', 'Dréam', '🐧', '']],
  ])('%s: each element decoded as UTF-8', (_name, strings) => {
    expect(decodeStrings(bytesTensor(strings), strings.length)).toEqual(strings);
  });

  it('bytes that are not UTF-8 decode as before, to U+FFFD', () => {
    const tensor = Buffer.concat([bytesTensor(['ok']), Buffer.from([2, 0, 0, 0, 0xc3, 0x28])]);
    expect(decodeStrings(tensor, 2)).toEqual(['ok', Buffer.from([0xc3, 0x28]).toString('utf8')]);
  });
});

describe('decodeBinaryInferRequest, the same header again (read once, then remembered)', () => {
  const signature: Signature = {
    inputs: [
      { name: 'x', dtype: 'float32', shape: [-1] },
      { name: 'tag', dtype: 'string', shape: [-1] },
    ],
    outputs: [],
  };
  const header = {
    inputs: [
      { name: 'x', shape: [2], datatype: 'FP32', parameters: { binary_data_size: 8 } },
      { name: 'tag', shape: [2], datatype: 'BYTES', parameters: { binary_data_size: 12 } },
    ],
    outputs: [{ name: 'y', parameters: { binary_data: true } }],
  };
  const decode = (x: number[], tags: string[] | Buffer, tail = Buffer.alloc(0)) => {
    const { body, headerLength } = binaryBody(header, [fp32(x), Buffer.isBuffer(tags) ? tags : bytesTensor(tags), tail]);
    return decodeBinaryInferRequest(body, String(headerLength), signature);
  };
  const error = (fn: () => unknown) => thrown(fn).message;

  it("decodes each body's own bytes, with the header's options, in answers that share nothing", () => {
    const first = decode([1, 2], ['ab', 'cd']);
    const second = decode([3.5, -4], ['ef', 'gh']);
    expect([...(first.request.inputs['x']!.data as Float32Array)]).toEqual([1, 2]);
    expect(first.request.inputs['tag']!.data).toEqual(['ab', 'cd']);
    expect([...(second.request.inputs['x']!.data as Float32Array)]).toEqual([3.5, -4]);
    expect(second.request.inputs['tag']!.data).toEqual(['ef', 'gh']);
    expect(second.request.outputs).toEqual(['y']);
    expect(second.binaryOutput('y')).toBe(true);
    expect(second.binaryOutput('z')).toBe(false);
    expect(second.request.inputs['x']!.shape).not.toBe(first.request.inputs['x']!.shape);
    expect(second.request.outputs).not.toBe(first.request.outputs);
    // What a caller does to its request's lists does not reach the next request's.
    first.request.outputs!.push('z');
    second.request.outputs!.push('w');
    expect(decode([9, 9], ['qr', 'st']).request.outputs).toEqual(['y']);
  });

  it('still checks the bytes of a body whose header it knows, and the body\'s length', () => {
    decode([1, 2], ['ab', 'cd']);
    // Same header and sizes, but the second element says 9 bytes where 2 remain.
    const lying = bytesTensor(['ab', 'cd']);
    lying.writeUInt32LE(9, 6);
    expect(error(() => decode([1, 2], lying))).toBe('input "tag": element 1 says 9 bytes, but only 2 remain in its binary_data_size');
    // Same header, bytes left over after the last input.
    expect(error(() => decode([1, 2], ['ab', 'cd'], Buffer.from('!')))).toContain('they must add up to the body\'s length');
    expect(decode([5, 6], ['ij', 'kl']).request.inputs['tag']!.data).toEqual(['ij', 'kl']);
  });

  it('two clients taking turns with headers of the same length: each body gets its own header\'s options', () => {
    const body = (id: string, x: number) => binaryBody({ ...header, id }, [fp32([x, x]), bytesTensor(['ab', 'cd'])]);
    for (let i = 0; i < 6; i++) {
      const id = i % 2 ? 'ra' : 'rb';
      const { body: b, headerLength } = body(id, i);
      const { request } = decodeBinaryInferRequest(b, String(headerLength), signature);
      expect(request.id).toBe(id);
      expect([...(request.inputs['x']!.data as Float32Array)]).toEqual([i, i]);
    }
  });

  it('keeps a bounded number of headers: after many others, the first is read again, as correctly', () => {
    for (let i = 0; i < 40; i++) {
      const { body, headerLength } = binaryBody({ ...header, id: `r${i}` }, [fp32([i, i]), bytesTensor(['ab', 'cd'])]);
      const { request } = decodeBinaryInferRequest(body, String(headerLength), signature);
      expect(request.id).toBe(`r${i}`);
      expect([...(request.inputs['x']!.data as Float32Array)]).toEqual([i, i]);
    }
    expect([...(decode([7, 8], ['mn', 'op']).request.inputs['x']!.data as Float32Array)]).toEqual([7, 8]);
  });
});

describe('binary tensor data extension (v2 infer)', () => {
  it('is advertised in the server metadata', async () => {
    expect((await request(server.app).get('/v2')).body.extensions).toContain('binary_tensor_data');
  });

  it('binary inputs and outputs: penguins answers equal the JSON request and scikit-learn', async () => {
    const { inputs, tensors } = penguinInputs(penguins.records);
    const { body, headerLength } = binaryBody({ id: 'bin-1', inputs, parameters: { binary_data_output: true } }, tensors);
    const res = await postBinary('/v2/models/penguins/versions/1/infer', body, headerLength);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/octet-stream/);
    const { header, bytes } = splitResponse(res.body as Buffer, Number(res.headers['inference-header-content-length']));
    expect(header).toMatchObject({ id: 'bin-1', model_name: 'penguins', model_version: '1' });
    expect(header.outputs.every((o) => o.data === undefined)).toBe(true);
    expect(readStrings(bytes['label']!)).toEqual(penguins.outputs['label']);
    expect(maxAbsDiff(asFloats(bytes['probabilities']!), penguins.outputs['probabilities']!.flat())).toBeLessThan(1e-5);

    // The same records as a JSON request give the very same floats.
    const jsonInputs = Object.entries(PENGUIN_INPUTS).map(([name, field]) => ({
      name,
      shape: [penguins.records.length, 1],
      datatype: STRING_INPUTS.has(name) ? 'BYTES' : 'FP32',
      data: penguins.records.map((r) => (r[field] === null && STRING_INPUTS.has(name) ? '' : r[field])),
    }));
    const json = await request(server.app).post('/v2/models/penguins/versions/1/infer').send({ inputs: jsonInputs });
    const jsonProbs = json.body.outputs.find((o: { name: string }) => o.name === 'probabilities').data as number[];
    expect(asFloats(bytes['probabilities']!)).toEqual(jsonProbs.map((v) => Math.fround(v)));
  });

  it('binary inputs with JSON outputs, and one output binary by its own parameter (iris)', async () => {
    const features = fp32(iris.records.flatMap((r) => [r['sepal_length'], r['sepal_width'], r['petal_length'], r['petal_width']] as number[]));
    const input = { name: 'features', shape: [iris.records.length, 4], datatype: 'FP32', parameters: { binary_data_size: features.length } };

    const plain = binaryBody({ inputs: [input] }, [features]);
    const asJson = await postBinary('/v2/models/iris/infer', plain.body, plain.headerLength);
    expect(asJson.status).toBe(200);
    expect(asJson.headers['inference-header-content-length']).toBeUndefined();
    const parsed = JSON.parse((asJson.body as Buffer).toString('utf8'));
    expect(parsed.outputs.find((o: { name: string }) => o.name === 'class').data).toEqual(iris.outputs['class']);

    const mixed = binaryBody({ inputs: [input], outputs: [{ name: 'class', parameters: { binary_data: true } }, { name: 'probabilities' }] }, [features]);
    const res = await postBinary('/v2/models/iris/infer', mixed.body, mixed.headerLength);
    expect(res.status).toBe(200);
    const { header, bytes } = splitResponse(res.body as Buffer, Number(res.headers['inference-header-content-length']));
    expect(header.outputs.map((o) => o.name)).toEqual(['class', 'probabilities']);
    expect(header.outputs[0]).toMatchObject({ datatype: 'INT64', shape: [iris.records.length], parameters: { binary_data_size: iris.records.length * 8 } });
    const classes = new BigInt64Array(bytes['class']!.buffer.slice(bytes['class']!.byteOffset, bytes['class']!.byteOffset + bytes['class']!.length));
    expect(Array.from(classes, Number)).toEqual(iris.outputs['class']);
    expect(maxAbsDiff(header.outputs[1]!.data, iris.outputs['probabilities']!.flat())).toBeLessThan(1e-5);
  });

  it('a JSON request may ask for binary outputs', async () => {
    const records = iris.records.slice(0, 3);
    const res = await request(server.app)
      .post('/v2/models/iris/infer')
      .send({ inputs: [{ name: 'features', shape: [3, 4], datatype: 'FP32', data: records.flatMap((r) => Object.values(r)) }], outputs: [{ name: 'probabilities', parameters: { binary_data: true } }] })
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    const { bytes } = splitResponse(res.body as Buffer, Number(res.headers['inference-header-content-length']));
    expect(maxAbsDiff(asFloats(bytes['probabilities']!), iris.outputs['probabilities']!.slice(0, 3).flat())).toBeLessThan(1e-5);
  });

  describe('malformed bodies are 400s that say what is wrong', () => {
    const features = fp32([5.1, 3.5, 1.4, 0.2]);
    const input = (size: number, extra: object = {}) => ({ name: 'features', shape: [1, 4], datatype: 'FP32', parameters: { binary_data_size: size }, ...extra });
    const cases: [string, () => { body: Buffer; headerLength: number | string }, RegExp][] = [
      ['header length beyond the body', () => ({ body: binaryBody({ inputs: [input(16)] }, [features]).body, headerLength: 10_000 }), /Inference-Header-Content-Length is 10000, but the body has only \d+ bytes/],
      ['header length not a number', () => ({ ...binaryBody({ inputs: [input(16)] }, [features]), headerLength: 'abc' }), /Inference-Header-Content-Length must be a byte count/],
      ['header length cutting the JSON', () => ({ ...binaryBody({ inputs: [input(16)] }, [features]), headerLength: 5 }), /not a JSON object/],
      ['binary_data_size past the end', () => binaryBody({ inputs: [input(32)] }, [features]), /binary_data_size 32 goes past the end of the body/],
      ['size not matching the shape', () => binaryBody({ inputs: [input(12)] }, [features.subarray(0, 12)]), /binary_data_size is 12 bytes, but shape \[1, 4\] of FP32 needs 16/],
      ['bytes left over', () => binaryBody({ inputs: [input(16)] }, [features, Buffer.from([1, 2, 3])]), /3 bytes after the header/],
      ['both data and binary_data_size', () => binaryBody({ inputs: [input(16, { data: [1, 2, 3, 4] })] }, [features]), /both "data" and parameters.binary_data_size/],
      ['wrong datatype', () => binaryBody({ inputs: [{ ...input(16), datatype: 'INT32' }] }, [features]), /datatype INT32, but the model expects FP32/],
      ['unknown input', () => binaryBody({ inputs: [{ ...input(16), name: 'nope' }] }, [features]), /unknown input "nope"/],
      ['negative size', () => binaryBody({ inputs: [input(-4)] }, [features]), /binary_data_size must be a non-negative integer/],
    ];
    for (const [what, make, message] of cases) {
      it(what, async () => {
        const { body, headerLength } = make();
        const res = await postBinary('/v2/models/iris/infer', body, headerLength);
        expect(res.status).toBe(400);
        expect(JSON.parse((res.body as Buffer).toString('utf8')).error).toMatch(message);
      });
    }

    it('a BYTES element whose length runs past its tensor', async () => {
      const { inputs, tensors } = penguinInputs(penguins.records.slice(0, 1));
      const bad = Buffer.from(tensors[0]!);
      bad.writeUInt32LE(1_000, 0);
      tensors[0] = bad;
      const { body, headerLength } = binaryBody({ inputs }, tensors);
      const res = await postBinary('/v2/models/penguins/infer', body, headerLength);
      expect(res.status).toBe(400);
      expect(JSON.parse((res.body as Buffer).toString('utf8')).error).toMatch(/input "island": element 0 says 1000 bytes/);
    });
  });
});
