import { describe, expect, it } from 'vitest';
import { dropUnfilled, fastObject } from './fast-object.js';

const named = (...names: string[]) => names.map((name) => ({ name }));

describe('fastObject', () => {
  it('gives a fresh object per call with the list\'s names as keys, in order, each null, whatever the names are', () => {
    const keys = ['temp_max_lag1', 'weather', '__proto__', 'constructor', 'a b', 'é'];
    const list = named(...keys);
    const a = fastObject<number>(list);
    const b = fastObject<number>(list);
    expect(Object.keys(a)).toEqual(keys);
    expect(Object.values(a)).toEqual(keys.map(() => null));
    expect(a).not.toBe(b);
    // "__proto__" is an own key like any other, not the prototype.
    a['__proto__'] = 1;
    a['weather'] = 2;
    expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
    expect(a['__proto__']).toBe(1);
    expect(b['weather']).toBeNull();
    expect(Object.keys(b)).toEqual(keys);
  });

  it('keeps each list\'s keys apart', () => {
    expect(Object.keys(fastObject(named('x')))).toEqual(['x']);
    expect(Object.keys(fastObject(named('y', 'z')))).toEqual(['y', 'z']);
  });

  it('dropUnfilled: the filled object itself when every key was filled, else a plain one of what was', () => {
    const list = named('a', 'b', 'c');
    const full = fastObject<number | null>(list);
    full['b'] = 2;
    full['a'] = 1;
    full['c'] = 0;
    expect(dropUnfilled(full)).toBe(full);
    const partial = fastObject<number | null>(list);
    partial['c'] = 3;
    partial['a'] = 1;
    const given = dropUnfilled(partial);
    expect(given).toEqual({ a: 1, c: 3 });
    expect('b' in given).toBe(false);
  });
});
