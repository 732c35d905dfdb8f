import { describe, expect, it, vi } from 'vitest';
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

  it('batches only requests with the same inputs, per-row shapes and outputs', async () => {
    const calls: string[] = [];
    const run = async (inputs: NamedTensors, outputs?: readonly string[]): Promise<NamedTensors> => {
      calls.push(`${Object.keys(inputs).sort().join('+')}:${inputs[Object.keys(inputs)[0]!]!.shape.join('x')}:${outputs?.join(',') ?? '*'}`);
      const rows = inputs[Object.keys(inputs)[0]!]!.shape[0]!;
      return { y: { dtype: 'float32', shape: [rows], data: new Float32Array(rows) } };
    };
    const batcher = new Batcher(run, { maxBatchSize: 16, batchTimeoutMicros: 0, maxEnqueuedRequests: 100 });
    const wide: NamedTensors = { x: { dtype: 'float32', shape: [1, 2], data: new Float32Array(2) } };
    const extra: NamedTensors = { ...rows(1), z: { dtype: 'float32', shape: [1, 1], data: new Float32Array(1) } };
    const asInt: NamedTensors = { x: { dtype: 'int64', shape: [1, 1], data: new BigInt64Array(1) } };
    await Promise.all([
      batcher.submit(rows(1)),
      batcher.submit(rows(2)), // joins the first
      batcher.submit(wide), // another per-row shape: a new batch
      batcher.submit(extra), // another input set
      batcher.submit(asInt), // another dtype
      batcher.submit(rows(3), ['y']), // other outputs
      batcher.submit(rows(4), ['y']), // joins the one before
    ]);
    expect(calls).toEqual(['x:2x1:*', 'x:1x2:*', 'x+z:1x1:*', 'x:1x1:*', 'x:2x1:y']);
  });

  describe('batchTimeoutMicros: 0', () => {
    const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

    it('runs what was submitted in the same turn of the event loop as one batch', async () => {
      const model = doubling();
      const batcher = new Batcher(model.run, { maxBatchSize: 16, batchTimeoutMicros: 0, maxEnqueuedRequests: 100 });
      const results = await Promise.all([batcher.submit(rows(1)), batcher.submit(rows(2, 3)), batcher.submit(rows(4))]);
      expect(model.calls).toEqual([4]);
      expect(results.map((r) => [...(r['y']!.data as Float32Array)])).toEqual([[2], [4, 6], [8]]);
    });

    it('sends a lone request at the end of its turn, not after a timer', async () => {
      const model = doubling();
      const batcher = new Batcher(model.run, { maxBatchSize: 16, batchTimeoutMicros: 0, maxEnqueuedRequests: 100 });
      // No timer at all (Node's shortest is 1 ms), and the batch has reached the backend by
      // the next check phase: an immediate queued after the submit finds it sent. (Racing a
      // real 1 ms timer instead was flaky: a slow turn lets the timer fire first.)
      const timers = vi.spyOn(globalThis, 'setTimeout');
      const answer = batcher.submit(rows(5));
      expect(timers).not.toHaveBeenCalled();
      timers.mockRestore();
      await turn();
      expect(model.calls).toEqual([1]);
      expect([...((await answer)['y']!.data as Float32Array)]).toEqual([10]);
    });

    it('runs a request that is alone at once, and one that is not at the end of the turn', async () => {
      const model = doubling();
      const batcher = new Batcher(model.run, { maxBatchSize: 16, batchTimeoutMicros: 0, maxEnqueuedRequests: 100 });
      const lone = batcher.submit(rows(1), undefined, true);
      expect(model.calls).toEqual([1]); // before any await: no turn waited for
      await lone;
      const first = batcher.submit(rows(2));
      const joining = batcher.submit(rows(3), undefined, true); // a batch is open: it joins it
      expect(model.calls).toEqual([1]);
      await Promise.all([first, joining]);
      expect(model.calls).toEqual([1, 2]);
      // With a wait configured, `alone` changes nothing: the wait is the operator's choice.
      const waiting = new Batcher(model.run, { maxBatchSize: 16, batchTimeoutMicros: 1000, maxEnqueuedRequests: 100 });
      const held = waiting.submit(rows(4), undefined, true);
      expect(model.calls).toEqual([1, 2]);
      await held;
    });

    it('after a turn with several requests, a lone one waits for the turn to end, so that the next ones join it', async () => {
      const model = doubling();
      const batcher = new Batcher(model.run, { maxBatchSize: 16, batchTimeoutMicros: 0, maxEnqueuedRequests: 100 });
      // A busy turn: three requests, each alone as far as its caller knows (a synchronous backend).
      await Promise.all([batcher.submit(rows(1), undefined, true), batcher.submit(rows(2), undefined, true), batcher.submit(rows(3), undefined, true)]);
      expect(model.calls).toEqual([1, 1, 1]);
      await turn();
      const lone = batcher.submit(rows(4), undefined, true);
      const next = batcher.submit(rows(5), undefined, true);
      expect(model.calls).toEqual([1, 1, 1]); // waiting for the turn's end, not run at once
      const [a, b] = await Promise.all([lone, next]);
      expect(model.calls).toEqual([1, 1, 1, 2]);
      expect([...(a['y']!.data as Float32Array)]).toEqual([8]);
      expect([...(b['y']!.data as Float32Array)]).toEqual([10]);
      // Quiet again: the first lone request still waits once (the last turn with requests had
      // two), its own turn counts one, and the next lone request runs at once.
      await turn();
      const after = batcher.submit(rows(6), undefined, true);
      expect(model.calls).toEqual([1, 1, 1, 2]);
      await after;
      await turn();
      const quiet = batcher.submit(rows(7), undefined, true);
      expect(model.calls).toEqual([1, 1, 1, 2, 1, 1]);
      await quiet;
    });

    it('starts a new batch in the next turn', async () => {
      const model = doubling();
      const batcher = new Batcher(model.run, { maxBatchSize: 16, batchTimeoutMicros: 0, maxEnqueuedRequests: 100 });
      const first = batcher.submit(rows(1));
      await turn();
      const second = [batcher.submit(rows(2)), batcher.submit(rows(3))];
      await Promise.all([first, ...second]);
      expect(model.calls).toEqual([1, 2]);
    });
  });
});
