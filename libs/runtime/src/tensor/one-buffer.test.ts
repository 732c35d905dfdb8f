import { describe, expect, it } from 'vitest';
import { allocateInOneBuffer, OneBuffer } from './one-buffer.js';

describe('OneBuffer', () => {
  it('hands out zero-filled, 8-byte aligned views of one buffer', () => {
    const one = new OneBuffer(OneBuffer.bytesFor('uint8', 3) + OneBuffer.bytesFor('float64', 2) + OneBuffer.bytesFor('int32', 1));
    const bytes = one.take('uint8', 3);
    const doubles = one.take('float64', 2) as Float64Array;
    const ints = one.take('int32', 1);
    expect(doubles.buffer).toBe(bytes.buffer);
    expect(ints.buffer).toBe(bytes.buffer);
    expect([bytes.byteOffset, doubles.byteOffset, ints.byteOffset]).toEqual([0, 8, 24]);
    expect([...doubles]).toEqual([0, 0]);
    doubles[1] = 1.5;
    expect([...bytes, ...ints]).toEqual([0, 0, 0, 0]);
  });

  it('gives a fresh array once its buffer is spent, rather than a view past its end', () => {
    const one = new OneBuffer(8);
    const first = one.take('float32', 2);
    const second = one.take('float32', 2);
    expect(second.buffer).not.toBe(first.buffer);
    expect(second.length).toBe(2);
  });

  it('over a buffer used before, zeroes each view as it hands it out, and only those', () => {
    const used = new ArrayBuffer(32);
    new Uint8Array(used).fill(7);
    const one = new OneBuffer(used);
    const floats = one.take('float32', 3);
    expect(floats.buffer).toBe(used);
    expect([...floats]).toEqual([0, 0, 0]);
    // The 8-byte-aligned view took 16 bytes; the rest is untouched until taken.
    expect([...new Uint8Array(used, 16)]).toEqual(new Array(16).fill(7));
    expect([...one.take('int32', 4)]).toEqual([0, 0, 0, 0]);
  });

  it('leaves strings in arrays of their own', () => {
    const [a, s, b] = allocateInOneBuffer([
      { dtype: 'float32', length: 3 },
      { dtype: 'string', length: 2 },
      { dtype: 'bool', length: 5 },
    ]);
    expect(s).toEqual(['', '']);
    expect((a as Float32Array).buffer).toBe((b as Uint8Array).buffer);
    expect((a as Float32Array).length).toBe(3);
    expect((b as Uint8Array).length).toBe(5);
  });
});
