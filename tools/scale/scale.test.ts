/** The scale run, small: generated models are separate projects, and affected is exact. */
import { describe, expect, it } from 'vitest';
import { runScale } from './run-scale.js';

describe('scale (small N)', () => {
  it('lists every generated model and exactly the touched one as affected', async () => {
    const result = await runScale(12);
    expect(result.projects).toBe(12 + 2);
    expect(result.affected).toEqual([result.touched]);
  }, 180_000);
});
