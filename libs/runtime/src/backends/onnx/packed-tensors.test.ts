/** The one-buffer hand-off between the event loop and a worker: every dtype survives it exactly. */
import { describe, expect, it } from 'vitest';
import type { NamedTensors } from '../../tensor/tensor.js';
import { Kind, pack, unpack } from './packed-tensors.js';

const every: NamedTensors = {
  f32: { dtype: 'float32', shape: [2, 1], data: Float32Array.of(1.5, -0) },
  f64: { dtype: 'float64', shape: [3], data: Float64Array.of(Math.PI, Number.NaN, -Infinity) },
  i8: { dtype: 'int8', shape: [1], data: Int8Array.of(-128) },
  u8: { dtype: 'uint8', shape: [2], data: Uint8Array.of(0, 255) },
  i16: { dtype: 'int16', shape: [1], data: Int16Array.of(-32768) },
  u16: { dtype: 'uint16', shape: [1], data: Uint16Array.of(65535) },
  i32: { dtype: 'int32', shape: [1, 1], data: Int32Array.of(-(2 ** 31)) },
  u32: { dtype: 'uint32', shape: [1], data: Uint32Array.of(2 ** 32 - 1) },
  i64: { dtype: 'int64', shape: [2], data: BigInt64Array.of(-(2n ** 63n), 7n) },
  u64: { dtype: 'uint64', shape: [1], data: BigUint64Array.of(2n ** 64n - 1n) },
  flag: { dtype: 'bool', shape: [3], data: Uint8Array.of(1, 0, 1) },
  'wetter_größe ☂': { dtype: 'string', shape: [3, 1], data: ['rain', '', 'Schnee ❄ — 雪'] },
  empty: { dtype: 'float32', shape: [0, 4], data: new Float32Array(0) },
};

function plain(t: NamedTensors) {
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, { dtype: v.dtype, shape: v.shape, data: Array.from(v.data as ArrayLike<unknown>) }]));
}

describe('packed tensors', () => {
  it('round-trip every dtype, names and strings in UTF-8, into aligned views of one buffer', () => {
    const buffer = pack(Kind.Result, 42, 7, every);
    const back = unpack(buffer);
    expect(back).toMatchObject({ kind: Kind.Result, id: 42, key: 7 });
    expect(plain(back.tensors)).toEqual(plain(every));
    expect(Object.keys(back.tensors)).toEqual(Object.keys(every));
    for (const t of Object.values(back.tensors)) {
      if (Array.isArray(t.data)) continue;
      expect((t.data as ArrayBufferView).buffer).toBe(buffer);
      expect((t.data as ArrayBufferView).byteOffset % 8).toBe(0);
    }
  });

  it('packs a view into a larger buffer as its own bytes only', () => {
    const big = Float32Array.of(9, 1, 2, 9);
    const back = unpack(pack(Kind.Run, 1, 1, { x: { dtype: 'float32', shape: [2], data: big.subarray(1, 3) } }));
    expect(Array.from(back.tensors['x']!.data as Float32Array)).toEqual([1, 2]);
  });

  it('carries the outputs a run asks for, or none for all of them, and a failure with its error', () => {
    expect(unpack(pack(Kind.Run, 3, 2, every, { outputs: ['label', 'probabilités'] })).outputs).toEqual(['label', 'probabilités']);
    expect(unpack(pack(Kind.Run, 3, 2, every)).outputs).toBeUndefined();
    const failed = unpack(pack(Kind.Failed, 9, 2, {}, { error: 'input "x": bad shape ✗' }));
    expect(failed).toMatchObject({ kind: Kind.Failed, id: 9, error: 'input "x": bad shape ✗', tensors: {} });
  });
});
