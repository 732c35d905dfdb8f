import { describe, expect, it } from 'vitest';
import { ServingError } from '../errors.js';
import type { NamedTensors } from '../tensor/tensor.js';
import { Batcher } from './batcher.js';

const rows = (...values: number[]): NamedTensors => ({ x: { dtype: 'float32', shape: [values.length, 1], data: new Float32Array(values) } });

/** A model computing y = 2x that records the batch sizes it was called with. */
function doubling() {
  const calls: number[] = [];
  const run = async (inputs: NamedTensors): Promise<NamedTensors> => {
    const x = inputs['x']!;
    calls.push(x.shape[0]!);
    if ([...(x.data as Float32Array)].some((v) => v < 0)) throw new ServingError('INVALID_ARGUMENT', 'negative');
    return { y: { dtype: 'float32', shape: [x.shape[0]!], data: (x.data as Float32Array).map((v) => v * 2) } };
  };
  return { run, calls };
}

describe('Batcher', () => {
  it('runs concurrent requests as one batch and gives each its own rows back', async () => {
    const model = doubling();
    const batcher = new Batcher(model.run, { maxBatchSize: 16, batchTimeoutMicros: 5000, maxEnqueuedRequests: 100 });
    const results = await Promise.all([batcher.submit(rows(1)), batcher.submit(rows(2, 3)), batcher.submit(rows(4))]);
    expect(model.calls).toEqual([4]);
    expect(results.map((r) => [...(r['y']!.data as Float32Array)])).toEqual([[2], [4, 6], [8]]);
    expect(results[1]!['y']!.shape).toEqual([2]);
  });

  it('flushes at maxBatchSize without waiting, and runs big requests alone', async () => {
    const model = doubling();
    const batcher = new Batcher(model.run, { maxBatchSize: 2, batchTimeoutMicros: 10_000_000, maxEnqueuedRequests: 100 });
    await Promise.all([batcher.submit(rows(1)), batcher.submit(rows(2)), batcher.submit(rows(1, 2, 3))]);
    expect(model.calls.sort()).toEqual([2, 3]);
  });

  it("keeps one request's bad input from failing its neighbours", async () => {
    const model = doubling();
    const batcher = new Batcher(model.run, { maxBatchSize: 16, batchTimeoutMicros: 2000, maxEnqueuedRequests: 100 });
    const [good, bad] = await Promise.allSettled([batcher.submit(rows(1)), batcher.submit(rows(-1))]);
    expect(good.status).toBe('fulfilled');
    expect(bad.status).toBe('rejected');
    expect((bad as PromiseRejectedResult).reason.message).toBe('negative');
  });

  it('refuses with UNAVAILABLE when the queue is full', async () => {
    const model = doubling();
    const batcher = new Batcher(model.run, { maxBatchSize: 100, batchTimeoutMicros: 2000, maxEnqueuedRequests: 1 });
    const first = batcher.submit(rows(1));
    await expect(batcher.submit(rows(2))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await first;
  });
});
