import { describe, expect, it } from 'vitest';
import { drive, runSteps, Slicer, SLICE_MS, type Steps } from './time-slices.js';

/** `count` steps of `ms` busy work each, then `result` (or the error). */
function* busy(count: number, ms: number, fail?: Error): Steps<string> {
  for (let i = 0; i < count; i++) {
    const until = performance.now() + ms;
    while (performance.now() < until);
    yield;
  }
  if (fail) throw fail;
  return 'done';
}

describe('time slices', () => {
  it('a sliced run lets the event loop in between slices; a straight run does not', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    try {
      const slicer = new Slicer();
      const started = performance.now();
      expect(await slicer.run(busy(40, 2))).toBe('done');
      expect(performance.now() - started).toBeGreaterThan(4 * SLICE_MS);
      expect(slicer.yields).toBeGreaterThanOrEqual(3);
      expect(ticks).toBeGreaterThan(0);

      ticks = 0;
      expect(runSteps(busy(40, 2))).toBe('done');
      expect(ticks).toBe(0);
    } finally {
      clearInterval(timer);
    }
  });

  it('errors come out of a sliced run as the steps threw them', async () => {
    const err = new RangeError('bad element 7');
    await expect(new Slicer().run(busy(20, 1, err))).rejects.toBe(err);
    expect(() => runSteps(busy(2, 0, err))).toThrow(err);
  });

  it('drive is synchronous without a slicer', () => {
    expect(drive(busy(3, 0), undefined)).toBe('done');
    expect(drive(busy(3, 0), new Slicer())).toBeInstanceOf(Promise);
  });
});
