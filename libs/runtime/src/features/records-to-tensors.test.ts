import { describe, expect, it } from 'vitest';
import type { ServingError } from '../errors.js';
import type { Signature } from '../tensor/tensor.js';
import { recordTable } from './record-table.js';
import { recordsToTensors } from './records-to-tensors.js';
import { thrown } from '../testing/thrown.js';

const signature: Signature = {
  inputs: [
    { name: 'island', dtype: 'string', shape: [-1, 1] },
    { name: 'mass', dtype: 'float32', shape: [-1, 1] },
    { name: 'xy', dtype: 'float32', shape: [-1, 2] },
  ],
  outputs: [],
};
const inputs = [
  { name: 'island', field: 'Island' },
  { name: 'mass', field: 'Body Mass (g)' },
  { name: 'xy', fields: ['x', 'y'] },
];
const rows = [
  { Island: 'Biscoe', 'Body Mass (g)': 3750, x: 1, y: 2, extra: 'ignored' },
  { Island: null, 'Body Mass (g)': null, x: 3, y: 4 },
];

const error = (fn: () => unknown) => thrown<ServingError>(fn);

describe('recordsToTensors', () => {
  it('maps fields to inputs; null is NaN for numbers and "" for strings', () => {
    const t = recordsToTensors(recordTable(rows), signature, inputs);
    expect(t['island']).toEqual({ dtype: 'string', shape: [2, 1], data: ['Biscoe', ''] });
    expect(t['mass']!.shape).toEqual([2, 1]);
    expect(t['mass']!.data[0]).toBe(3750);
    expect(Number.isNaN(t['mass']!.data[1])).toBe(true);
    expect(t['xy']).toEqual({ dtype: 'float32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) });
  });

  it('reads an object of columns (lists or pandas index maps) like a list of rows', () => {
    const columns = recordTable({
      Island: ['Biscoe', null],
      'Body Mass (g)': { 0: 3750, 1: null },
      x: [1, 3],
      y: [2, 4],
    });
    expect(recordsToTensors(columns, signature, inputs)).toEqual(recordsToTensors(recordTable(rows), signature, inputs));
  });

  it('takes a single object of scalars as one record', () => {
    expect(recordTable(rows[0]).length).toBe(1);
  });

  it('names an absent field, a wrong type and the record', () => {
    const absent = error(() => recordsToTensors(recordTable([{ Island: 'Dream', x: 1, y: 2 }]), signature, inputs));
    expect(absent.code).toBe('INVALID_ARGUMENT');
    expect(absent.message).toBe('record 0 has no field "Body Mass (g)" (model input "mass")');
    const wrong = error(() => recordsToTensors(recordTable([{ ...rows[0], 'Body Mass (g)': 'heavy' }]), signature, inputs));
    expect(wrong.message).toBe('field "Body Mass (g)" of record 0 must be a number or null, got the string "heavy"');
    const notString = error(() => recordsToTensors(recordTable([{ ...rows[0], Island: 3 }]), signature, inputs));
    expect(notString.message).toContain('field "Island" of record 0 must be a string or null');
  });

  it('refuses empty data, ragged columns and non-record rows', () => {
    expect(error(() => recordsToTensors(recordTable([]), signature, inputs)).message).toContain('no records');
    expect(error(() => recordTable({ a: [1, 2], b: [1] })).message).toContain('columns have different lengths');
    expect(error(() => recordTable([1, 2])).message).toContain('record 0 must be an object');
    expect(error(() => recordTable('x')).message).toContain('"data" must be a list of records or an object of columns');
  });

  it('checks integer inputs exactly', () => {
    const sig: Signature = { inputs: [{ name: 'n', dtype: 'int64', shape: [-1, 1] }, { name: 'k', dtype: 'int8', shape: [-1, 1] }], outputs: [] };
    const t = recordsToTensors(recordTable([{ n: 5, k: -3 }]), sig);
    expect(t['n']!.data).toEqual(new BigInt64Array([5n]));
    expect(error(() => recordsToTensors(recordTable([{ n: 1.5, k: 0 }]), sig)).message).toContain('must be an integer');
    expect(error(() => recordsToTensors(recordTable([{ n: 1, k: 300 }]), sig)).message).toContain('[-128, 127]');
  });

  it('takes a whole array per record when the model wants one (an image)', () => {
    const sig: Signature = { inputs: [{ name: 'pixels', dtype: 'float32', shape: [-1, 2, 2] }], outputs: [] };
    const t = recordsToTensors(recordTable([{ image: [[0, 1], [2, 3]] }, { image: [[4, 5], [6, 7]] }]), sig, [{ name: 'pixels', field: 'image' }]);
    expect(t['pixels']).toEqual({ dtype: 'float32', shape: [2, 2, 2], data: new Float32Array([0, 1, 2, 3, 4, 5, 6, 7]) });
    expect(error(() => recordsToTensors(recordTable([{ image: [[0, 1], [2]] }]), sig, [{ name: 'pixels', field: 'image' }])).message).toBe(
      'field "image" of record 0 must hold 4 values (shape [2, 2]), got 3',
    );
  });

  it('names an absent column of a columns body, and a field present but undefined (a hook\'s records)', () => {
    const columns = recordTable({ Island: ['Biscoe'], x: [1], y: [2] });
    expect(error(() => recordsToTensors(columns, signature, inputs)).message).toBe('record 0 has no field "Body Mass (g)" (model input "mass")');
    const undefinedField = error(() => recordsToTensors(recordTable([{ ...rows[0], 'Body Mass (g)': undefined }]), signature, inputs));
    expect(undefinedField.message).toBe('field "Body Mass (g)" of record 0 must be a number or null, got undefined undefined');
  });

  it('works the mapping out per (signature, inputs): a reloaded config with other fields is read by its own mapping', () => {
    const before = recordsToTensors(recordTable(rows), signature, inputs);
    const renamed = [{ name: 'island', field: 'isle' }, { name: 'mass', field: 'Body Mass (g)' }, { name: 'xy', fields: ['y', 'x'] }];
    const after = recordsToTensors(recordTable([{ isle: 'Dream', 'Body Mass (g)': 1, x: 1, y: 2 }]), signature, renamed);
    expect(after['island']!.data).toEqual(['Dream']);
    expect(after['xy']!.data).toEqual(new Float32Array([2, 1]));
    // The first mapping is still the first config's.
    expect(recordsToTensors(recordTable(rows), signature, inputs)).toEqual(before);
  });

  it('names the value of a nested field that is wrong, by its index', () => {
    const sig: Signature = { inputs: [{ name: 'pixels', dtype: 'float32', shape: [-1, 2] }], outputs: [] };
    const bad = error(() => recordsToTensors(recordTable([{ image: [0, 1] }, { image: [2, 'x'] }]), sig, [{ name: 'pixels', field: 'image' }]));
    expect(bad.message).toBe('field "image" of record 1, value 1 must be a number or null, got the string "x"');
  });

  it('reads records whose keys come in any order, with keys it does not use, as it reads columns', () => {
    const shuffled = [
      { y: 2, extra: 1, x: 1, 'Body Mass (g)': 3750, Island: 'Biscoe' },
      { Island: null, x: 3, 'Body Mass (g)': null, y: 4 },
      { x: 5, y: 6, Island: 'Dream', 'Body Mass (g)': 4000, other: [1] },
      { Island: 'Torgersen', 'Body Mass (g)': 3200, x: 7, y: 8 },
    ];
    const columns = recordTable({
      Island: ['Biscoe', null, 'Dream', 'Torgersen'],
      'Body Mass (g)': [3750, null, 4000, 3200],
      x: [1, 3, 5, 7],
      y: [2, 4, 6, 8],
    });
    const t = recordsToTensors(recordTable(shuffled), signature, inputs);
    expect(t).toEqual(recordsToTensors(columns, signature, inputs));
    expect([...(t['xy']!.data as Float32Array)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(t['island']!.data).toEqual(['Biscoe', '', 'Dream', 'Torgersen']);
  });

  it('names the first mistake in input order, whichever record holds it', () => {
    // Record 0's "x" is wrong and so is record 1's "Island": inputs are read in the
    // signature's order (island before xy), so record 1's is named, as it always was.
    const bad = error(() => recordsToTensors(recordTable([{ ...rows[0], x: 'a' }, { ...rows[1], Island: 5 }]), signature, inputs));
    expect(bad.message).toBe('field "Island" of record 1 must be a string or null, got number 5');
    const absent = error(() => recordsToTensors(recordTable([rows[0], { Island: 'Dream', x: 1, y: 2 }]), signature, inputs));
    expect(absent.message).toBe('record 1 has no field "Body Mass (g)" (model input "mass")');
  });

  it("keeps a request's numeric inputs in one buffer, each view aligned for its type", () => {
    const sig: Signature = {
      inputs: [
        { name: 'flag', dtype: 'int8', shape: [-1, 1] },
        { name: 'count', dtype: 'int64', shape: [-1, 1] },
        { name: 'w', dtype: 'float64', shape: [-1, 1] },
        { name: 'name', dtype: 'string', shape: [-1, 1] },
      ],
      outputs: [],
    };
    const records = [
      { flag: 1, count: 7, w: 0.5, name: 'a' },
      { flag: -2, count: 9, w: 1.25, name: 'b' },
      { flag: 3, count: 11, w: 2, name: 'c' },
    ];
    const t = recordsToTensors(recordTable(records), sig);
    const flag = t['flag']!.data as Int8Array;
    const count = t['count']!.data as BigInt64Array;
    const w = t['w']!.data as Float64Array;
    expect([...flag]).toEqual([1, -2, 3]);
    expect([...count]).toEqual([7n, 9n, 11n]);
    expect([...w]).toEqual([0.5, 1.25, 2]);
    expect(count.buffer).toBe(flag.buffer);
    expect(w.buffer).toBe(flag.buffer);
    expect(count.byteOffset % 8).toBe(0);
    expect(w.byteOffset % 8).toBe(0);
    expect(t['name']!.data).toEqual(['a', 'b', 'c']);
  });

  it('writes every float32 up to the largest, refuses one that would become Infinity, and keeps float64 whole', () => {
    const sig: Signature = { inputs: [{ name: 'a', dtype: 'float32', shape: [-1, 1] }, { name: 'b', dtype: 'float64', shape: [-1, 1] }], outputs: [] };
    const largest = 3.4028234663852886e38; // float32's largest finite value
    const t = recordsToTensors(recordTable([{ a: largest, b: 1e300 }, { a: -largest, b: -1e-300 }, { a: 0.1, b: 0.1 }]), sig);
    expect([...(t['a']!.data as Float32Array)]).toEqual([largest, -largest, Math.fround(0.1)]);
    expect([...(t['b']!.data as Float64Array)]).toEqual([1e300, -1e-300, 0.1]);
    // The smallest magnitude float32 rounds to Infinity, either sign, in any record.
    for (const a of [3.4028235677973366e38, -3.4028235677973366e38, 1e39]) {
      const bad = error(() => recordsToTensors(recordTable([{ a: 1, b: 1 }, { a, b: 1 }]), sig));
      expect(bad.message).toBe(`field "a" of record 1 is ${a}, outside the float32 range of the model's input`);
    }
  });
});
