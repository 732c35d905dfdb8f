import { describe, expect, it } from 'vitest';
import { selectVersions } from './version-policy.js';

describe('selectVersions', () => {
  const on = [1, 3, 2, 10];
  it('latest N takes the highest numbers, not the last listed', () => {
    expect(selectVersions({ latest: { numVersions: 1 } }, on)).toEqual([10]);
    expect(selectVersions({ latest: { numVersions: 2 } }, on)).toEqual([10, 3]);
  });
  it('all and specific', () => {
    expect(selectVersions({ all: {} }, on)).toEqual([10, 3, 2, 1]);
    expect(selectVersions({ specific: { versions: [2, 7] } }, on)).toEqual([2]);
  });
});
