import { describe, expect, it } from 'vitest';
import type { Signature } from '../../tensor/tensor.js';
import { parseTfServingBody } from './json-parse.js';
import { decodePredictRequest, readSignatureName } from './request.js';
import { thrown } from '../../testing/thrown.js';

const halfPlusTwo: Signature = { inputs: [{ name: 'x', dtype: 'float32', shape: [-1, 1] }], outputs: [] };
const two: Signature = {
  inputs: [
    { name: 'a', dtype: 'int64', shape: null },
    { name: 'b', dtype: 'string', shape: null },
  ],
  outputs: [],
};
const decode = (text: string, sig: Signature, lossless = false) => decodePredictRequest(parseTfServingBody(text, { lossless }), sig);
const error = (fn: () => unknown) => thrown(fn).message;

describe('readSignatureName', () => {
  it('defaults, and checks the type and the top level', () => {
    expect(readSignatureName({ instances: [] })).toBe('serving_default');
    expect(readSignatureName({ signature_name: '' })).toBe('serving_default');
    expect(readSignatureName({ signature_name: 'cls' })).toBe('cls');
    expect(error(() => readSignatureName({ signature_name: 3 }))).toBe("'signature_name' key must be a string value.");
    expect(error(() => readSignatureName([1]))).toBe('Is not object');
  });
});

describe('decodePredictRequest', () => {
  it("reads half_plus_two's examples: shapes come from the JSON", () => {
    const row = decode('{"instances": [1.0, 2.0, 5.0]}', halfPlusTwo);
    expect(row.format).toBe('row');
    expect(row.inputs['x']).toEqual({ dtype: 'float32', shape: [3], data: new Float32Array([1, 2, 5]) });
    expect(decode('{"inputs": [[1,2],[3,4],[5,6]]}', halfPlusTwo).inputs['x']!.shape).toEqual([3, 2]);
    expect(decode('{"inputs": {"x": [3.0, 4.0]}}', halfPlusTwo)).toMatchObject({ format: 'columnar', inputs: { x: { shape: [2] } } });
    expect(decode('{"inputs": []}', halfPlusTwo).inputs['x']!.shape).toEqual([0]);
  });

  it('decodes b64 strings, named instances and several inputs', () => {
    const strSig: Signature = { inputs: [{ name: 's', dtype: 'string', shape: null }], outputs: [] };
    expect(decode('{"inputs": {"b64": "aGVsbG8="}}', strSig).inputs['s']).toEqual({ dtype: 'string', shape: [], data: ['hello'] });
    expect(decode('{"instances": [{"s": {"b64": "aGk="}}]}', strSig).inputs['s']!.data).toEqual(['hi']);
    const both = decode('{"instances": [{"a": [1, 2], "b": "x"}, {"a": [3, 4], "b": "y"}]}', two, true);
    expect(both.inputs['a']).toEqual({ dtype: 'int64', shape: [2, 2], data: new BigInt64Array([1n, 2n, 3n, 4n]) });
    expect(both.inputs['b']).toEqual({ dtype: 'string', shape: [2], data: ['x', 'y'] });
    expect(error(() => decode('{"inputs": {"b64": "***"}}', strSig))).toContain('Unable to base64 decode');
  });

  it('keeps int64 exact beyond 2^53 and refuses 1.0 for an integer input', () => {
    const big = decode('{"inputs": {"a": [9007199254740993], "b": ["x"]}}', two, true);
    expect(big.inputs['a']!.data[0]).toBe(9007199254740993n);
    expect(error(() => decode('{"inputs": {"a": [1.0], "b": ["x"]}}', two, true))).toBe('JSON Value: 1.0 Type: Number is not of expected type: int64');
    expect(error(() => decode('{"inputs": {"a": [9223372036854775808], "b": ["x"]}}', two, true))).toContain('is not of expected type: int64');
  });

  it('rounds floats to float32 and takes NaN/Infinity', () => {
    const x = decode('{"instances": [0.1, NaN, -Infinity, Infinity]}', halfPlusTwo).inputs['x']!.data as Float32Array;
    expect(x[0]).toBe(Math.fround(0.1));
    expect(x[1]).toBeNaN();
    expect([x[2], x[3]]).toEqual([-Infinity, Infinity]);
  });

  it('refuses a finite number that float32 cannot hold, instead of turning it into Infinity', () => {
    expect(error(() => decode('{"instances": [0.1, 1e300]}', halfPlusTwo))).toContain('JSON Value: 1e+300 Type: Number is not of expected type: float');
  });

  it.each([
    ['{"instances": [1], "inputs": [1]}', "Not formatted correctly expecting only one of 'inputs' or 'instances' keys to exist"],
    ['{"foo": 1}', "Missing 'inputs' or 'instances' key"],
    ['{"instances": []}', "No values in 'instances' array"],
    ['{"instances": [[1, 2], [3]]}', "Failed to process element: 1 of 'instances' list. Error: INVALID_ARGUMENT: Expecting tensor size: 2 but got: 1"],
    ['{"instances": [[[1], [2]], [[1, 2]]]}', "Failed to process element: 1 of 'instances' list. Error: INVALID_ARGUMENT: Expecting shape [2,1] but got: [1,2]"],
    ['{"inputs": [[1, 2], [3]]}', 'Encountered list at unexpected size: 1 at level: 1 expected size: 2'],
    ['{"inputs": [[1, 2], 3]}', 'JSON Value: 3 found at incorrect level: 2 in the JSON DOM. Expected at level: 3'],
    ['{"inputs": ["a"]}', 'JSON Value: "a" Type: String is not of expected type: float'],
    ['{"instances": [true]}', "Failed to process element: 0 of 'instances' list. Error: INVALID_ARGUMENT: JSON Value: true Type: True is not of expected type: float"],
  ])('%s → %s', (text, message) => {
    expect(error(() => decode(text, halfPlusTwo))).toBe(message);
  });

  it.each([
    ['{"instances": [1, 2]}', 'instances is a plain list, but expecting list of objects'],
    ['{"instances": [{"a": 1, "b": "x"}, [1]]}', 'Expecting object but got list at item 1'],
    ['{"instances": [{"a": 1}]}', 'JSON object: does not have named input: b'],
    ['{"instances": [{"a": 1, "b": "x", "c": 2}]}', 'does not have named input: c'],
    ['{"inputs": [1]}', 'inputs is a plain value/list, but expecting an object'],
    ['{"inputs": {"a": [1]}}', "Missing named input: b in 'inputs' object."],
  ])('several inputs: %s → %s', (text, message) => {
    expect(error(() => decode(text, two, true))).toContain(message);
  });
});
