/**
 * Large requests run in slices of rows (issue 8, finding 4): on the real penguins model the
 * answer is the same as one whole run, each run is at most maxRowsPerRun rows, and a model
 * whose outputs are not per row is run whole, as before.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOnnxBackend } from '../backends/onnx/onnx-backend.js';
import { recordTable } from '../features/record-table.js';
import { recordsToTensors } from '../features/records-to-tensors.js';
import type { ModelConfig } from '../config/schema.js';
import { loadReference, WORKSPACE_MODELS } from '../testing/fixtures.js';
import type { NamedTensors } from '../tensor/tensor.js';
import { DEFAULT_MAX_ROWS_PER_RUN, maxRowsPerRun, runInRowSlices } from './split-rows.js';
import { readFile } from 'node:fs/promises';

const plain = (tensors: NamedTensors) => Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, { dtype: t.dtype, shape: t.shape, data: Array.from(t.data as ArrayLike<unknown>) }]));

describe('runInRowSlices', () => {
  it('the real penguins model: the same outputs as one whole run, in runs of at most maxRowsPerRun rows', async () => {
    const config = JSON.parse(await readFile(join(WORKSPACE_MODELS, 'penguins', 'model.json'), 'utf8')) as ModelConfig;
    const backend = await loadOnnxBackend({ versionDir: join(WORKSPACE_MODELS, 'penguins', '2'), modelName: 'penguins', version: 2 }, { ...config, artifact: 'model.onnx' }, { execution: 'inline', intraOpThreads: 1 } as never);
    try {
      const { records } = await loadReference('penguins', 2);
      const many = Array.from({ length: 5000 }, (_, i) => records[i % records.length]!);
      const inputs = () => recordsToTensors(recordTable(many), backend.signature, config.inputs);
      const runs: number[] = [];
      const counted = (i: NamedTensors, o?: readonly string[]) => {
        runs.push(Object.values(i)[0]!.shape[0]!);
        return backend.run(i, o);
      };
      const sliced = await runInRowSlices(counted, inputs(), undefined, 1024);
      expect(runs).toEqual([1024, 1024, 1024, 1024, 904]);
      const whole = await backend.run(inputs());
      expect(plain(sliced)).toStrictEqual(plain(whole));
      // A request within the bound is one run, untouched.
      runs.length = 0;
      await runInRowSlices(counted, inputs(), ['label'], 5000);
      expect(runs).toEqual([5000]);
    } finally {
      await backend.close();
    }
  });

  it('a model whose outputs are not per row runs whole', async () => {
    const runs: number[] = [];
    // The sum over the batch: one row out, whatever goes in.
    const total = async (i: NamedTensors): Promise<NamedTensors> => {
      const x = i['x']!.data as Float32Array;
      runs.push(x.length);
      return { sum: { dtype: 'float32', shape: [1], data: Float32Array.of(x.reduce((a, b) => a + b, 0)) } };
    };
    const out = await runInRowSlices(total, { x: { dtype: 'float32', shape: [10, 1], data: Float32Array.from({ length: 10 }, (_, k) => k) } }, undefined, 4);
    expect(runs).toEqual([4, 10]);
    expect(Array.from(out['sum']!.data as Float32Array)).toEqual([45]);
  });
});

describe('maxRowsPerRun', () => {
  it('splits a batched model (rows declared independent) by default, another only when asked', () => {
    const batching = { maxBatchSize: 64, batchTimeoutMicros: 0, maxEnqueuedRequests: 1000 };
    expect(maxRowsPerRun({ batching })).toBe(DEFAULT_MAX_ROWS_PER_RUN);
    expect(maxRowsPerRun({})).toBeUndefined();
    expect(maxRowsPerRun({ largeRequests: { maxRowsPerRun: 10 } })).toBe(10);
    expect(maxRowsPerRun({ batching, largeRequests: { maxRowsPerRun: 100_000 } })).toBe(100_000);
  });
});
