import { describe, expect, it } from 'vitest';
import type { Signature } from '../../tensor/tensor.js';
import { decodeInferRequest, encodeInferResponse, encodeModelMetadata } from './codec.js';

const signature: Signature = {
  inputs: [
    { name: 'features', dtype: 'float32', shape: [-1, 2] },
    { name: 'ids', dtype: 'int64', shape: [-1] },
    { name: 'tag', dtype: 'string', shape: [-1, 1] },
  ],
  outputs: [{ name: 'p', dtype: 'float32', shape: [-1, 3] }],
};
const base = [
  { name: 'features', shape: [2, 2], datatype: 'FP32', data: [[1, 2], [3, null]] },
  { name: 'ids', shape: [2], datatype: 'INT64', data: [7, 8] },
  { name: 'tag', shape: [2, 1], datatype: 'BYTES', data: ['a', 'b'] },
];

describe('decodeInferRequest', () => {
  it('flattens nested data, keeps the id and the requested outputs', () => {
    const req = decodeInferRequest({ id: 'r1', inputs: base, outputs: [{ name: 'p' }] }, signature);
    expect(req.id).toBe('r1');
    expect(req.outputs).toEqual(['p']);
    expect(req.inputs['features']!.shape).toEqual([2, 2]);
    expect([...(req.inputs['features']!.data as Float32Array)].slice(0, 3)).toEqual([1, 2, 3]);
    expect(Number.isNaN(req.inputs['features']!.data[3])).toBe(true);
    expect(req.inputs['ids']!.data).toEqual(new BigInt64Array([7n, 8n]));
    expect(req.inputs['tag']!.data).toEqual(['a', 'b']);
  });

  it.each([
    [{ inputs: [] }, '"inputs" must be a non-empty list'],
    [[], 'must be a JSON object'],
    [{ inputs: [{ ...base[0], name: 'nope' }] }, 'unknown input "nope"'],
    [{ inputs: [{ ...base[0], datatype: 'FP64' }] }, 'input "features" has datatype FP64, but the model expects FP32'],
    [{ inputs: [{ ...base[0], datatype: 'FP16' }] }, 'unsupported datatype "FP16"'],
    [{ inputs: [{ ...base[0], shape: [2, 3] }] }, 'shape [2, 3] holds 6 values, but "data" has 4'],
    [{ inputs: [{ ...base[0], data: [1, 2, 3, 'x'] }] }, 'input "features": element 3 must be a number, got the string "x"'],
    [{ inputs: [{ ...base[1], data: [1.5, 2] }] }, 'element 0 must be an integer (int64)'],
    [{ inputs: [base[0], base[0]] }, 'input "features" is given twice'],
    [{ inputs: base, outputs: 'p' }, '"outputs" must be a list'],
    [{ inputs: base, id: 5 }, '"id" must be a string'],
  ])('refuses %j', (body, message) => {
    expect(() => decodeInferRequest(body, signature)).toThrow(message);
  });
});

describe('encoding', () => {
  it('writes flat data with the v2 datatype and the version as a string', () => {
    const out = encodeInferResponse('m', 2, 'r1', { p: { dtype: 'float32', shape: [1, 3], data: new Float32Array([0.5, 0.25, 0.25]) } }, ['p']);
    expect(out).toEqual({ model_name: 'm', model_version: '2', id: 'r1', outputs: [{ name: 'p', datatype: 'FP32', shape: [1, 3], data: [0.5, 0.25, 0.25] }] });
  });

  it('describes the signature in metadata', () => {
    const meta = encodeModelMetadata('m', [2, 1], 'onnxruntime_onnx', signature);
    expect(meta.versions).toEqual(['2', '1']);
    expect(meta.inputs[2]).toEqual({ name: 'tag', datatype: 'BYTES', shape: [-1, 1] });
  });
});
