/**
 * `onnx.execution`: what `auto` picks, and an inline model that runs a large request a slice
 * of rows at a time. Real sessions of the example penguins model, answers against the
 * scikit-learn reference.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import type { Backend } from '../backend.js';
import type { ModelConfig } from '../../config/schema.js';
import { parseModelConfig } from '../model-config.js';
import { loadReference, maxAbsDiff, PENGUIN_INPUTS, PENGUIN_STRING_INPUTS, WORKSPACE_MODELS } from '../../testing/fixtures.js';
import type { NamedTensors } from '../../tensor/tensor.js';
import { loadOnnxBackend } from './onnx-backend.js';
import { DEFAULT_MAX_ROWS_PER_RUN, runInRowSlices } from '../../batching/split-rows.js';
import { SMALL_MODEL_BYTES } from './pool-size.js';


function configWith(extra: object): ModelConfig {
  return parseModelConfig('model.json', JSON.stringify({ name: 'penguins', backend: 'onnx', ...extra }));
}

const loaded: Backend[] = [];
async function load(config: ModelConfig): Promise<Backend> {
  const onnx = (config as unknown as { onnx: Parameters<typeof loadOnnxBackend>[2] }).onnx;
  const backend = await loadOnnxBackend({ versionDir: join(WORKSPACE_MODELS, 'penguins', '1'), modelName: 'penguins', version: 1 }, config, onnx);
  loaded.push(backend);
  return backend;
}
afterEach(async () => {
  await Promise.all(loaded.splice(0).map((b) => b.close()));
});

/** The reference records repeated to `rows` rows, as the model's six [N, 1] inputs. */
async function repeatedRecords(rows: number) {
  const ref = await loadReference('penguins', 1);
  const records = ref.records;
  const pick = (i: number) => records[i % records.length]!;
  const inputs: NamedTensors = {};
  for (const [input, field] of Object.entries(PENGUIN_INPUTS)) {
    inputs[input] = PENGUIN_STRING_INPUTS.has(input)
      ? { dtype: 'string', shape: [rows, 1], data: Array.from({ length: rows }, (_, i) => (pick(i)[field] as string | null) ?? '') }
      : { dtype: 'float32', shape: [rows, 1], data: Float32Array.from({ length: rows }, (_, i) => (pick(i)[field] as number | null) ?? NaN) };
  }
  const probabilities = Array.from({ length: rows }, (_, i) => ref.outputs['probabilities']![i % records.length] as number[]);
  const labels = Array.from({ length: rows }, (_, i) => ref.outputs['label']![i % records.length]);
  return { inputs, probabilities, labels };
}

describe('onnx.execution', () => {
  it('auto runs a small model with batching on the main thread (in the interpreter, which implements this graph), and the pool otherwise', async () => {
    expect((await stat(join(WORKSPACE_MODELS, 'penguins', '1', 'model.onnx'))).size).toBeLessThan(SMALL_MODEL_BYTES);
    const batching = { batching: { maxBatchSize: 64, batchTimeoutMicros: 0 } };
    expect((await load(configWith(batching))).describe?.()).toEqual({ inline: true, engine: 'interpreter' });
    // Rows not known to be independent, or workers asked for: the pool.
    expect((await load(configWith({}))).describe?.()).toHaveProperty('workers');
    expect((await load(configWith({ ...batching, onnx: { workers: 1 } }))).describe?.()).toHaveProperty('workers');
    // Chosen explicitly: as asked.
    expect((await load(configWith({ onnx: { execution: 'inline' } }))).describe?.()).toEqual({ inline: true });
    expect((await load(configWith({ ...batching, onnx: { execution: 'pool' } }))).describe?.()).toHaveProperty('workers');
  }, 60_000);

  it.each([
    ['onnxruntime', { execution: 'inline' }],
    ['the interpreter', {}],
  ])('a model on the main thread (%s) gets a request of 2.5 runs of rows with the loop turning between them, answers equal to scikit-learn and to one whole run', async (_engine, onnx) => {
    const rows = Math.floor(DEFAULT_MAX_ROWS_PER_RUN * 2.5);
    const { inputs, probabilities, labels } = await repeatedRecords(rows);
    const inline = await load(configWith({ batching: { maxBatchSize: 64, batchTimeoutMicros: 0 }, onnx }));
    const whole = inline;

    // The event loop turns between slices: count the turns a setImmediate chain sees meanwhile.
    let turns = 0;
    let running = true;
    const spin = () => running && (turns++, setImmediate(spin));
    setImmediate(spin);
    const out = await runInRowSlices((i, o) => inline.run(i, o), inputs, undefined, DEFAULT_MAX_ROWS_PER_RUN);
    running = false;
    const once = await whole.run(inputs);

    expect(out['label']!.shape).toEqual([rows]);
    expect(out['probabilities']!.shape).toEqual([rows, 3]);
    expect(Array.from(out['label']!.data as string[])).toEqual(labels);
    const probs = Array.from({ length: rows }, (_, i) => Array.from((out['probabilities']!.data as Float32Array).subarray(i * 3, i * 3 + 3)));
    expect(maxAbsDiff(probs, probabilities)).toBeLessThan(1e-5);
    // Equal to one whole run up to float32 rounding (onnxruntime's kernels may sum in a
    // different order for another row count, as with any batching); the labels exactly.
    const a = out['probabilities']!.data as Float32Array;
    const b = once['probabilities']!.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    expect(worst).toBeLessThan(1e-6);
    expect(Array.from(once['label']!.data as string[])).toEqual(labels);
    expect(turns).toBeGreaterThanOrEqual(3);
  }, 60_000);
});
