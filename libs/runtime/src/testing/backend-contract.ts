/**
 * The contract every backend keeps, as a vitest suite any backend's test calls with a
 * loaded version and inputs for it: what the repository, the batcher and every protocol
 * rely on, checked the same way for in-process and remote backends.
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../backends/backend.js';
import { ServingError } from '../errors.js';
import { DTYPES, elementCount, type DType, type NamedTensors, type Tensor } from '../tensor/tensor.js';

export interface ContractSubject {
  backend: Backend;
  /** Inputs of `batch` rows; row i must not depend on the batch size. */
  sample(batch: number): NamedTensors;
  /** Inputs the model must refuse as the caller's fault (a 4xx), e.g. a wrong inner dimension. */
  callerFault: NamedTensors;
  /** The signature's names, when the test knows them. */
  inputs?: string[];
  outputs?: string[];
  /** Largest difference between a row computed alone and in a batch (float kernels may differ). */
  tolerance?: number;
}

const TYPED: Partial<Record<DType, new (...args: never[]) => unknown>> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  int8: Int8Array,
};

function row(t: Tensor, i: number): unknown[] {
  const size = elementCount(t.shape.slice(1));
  return Array.from(t.data as ArrayLike<unknown>).slice(i * size, (i + 1) * size);
}

function closeTo(a: unknown[], b: unknown[], tolerance: number): boolean {
  return a.length === b.length && a.every((v, i) => (typeof v === 'number' ? Math.abs(v - (b[i] as number)) <= tolerance : v === b[i]));
}

/** Copies, because a backend may take ownership of the input buffers (worker threads). */
const copy = (inputs: NamedTensors): NamedTensors =>
  Object.fromEntries(Object.entries(inputs).map(([n, t]) => [n, { ...t, data: Array.isArray(t.data) ? [...t.data] : (t.data as Float32Array).slice() } as Tensor]));

export function describeBackendContract(name: string, setup: () => Promise<ContractSubject>, teardown?: () => Promise<void>): void {
  describe(`backend contract: ${name}`, () => {
    let s: ContractSubject;
    const subject = async () => (s ??= await setup());

    it('discovers its signature: named, typed, shaped', async () => {
      const { backend, inputs, outputs } = await subject();
      const sig = backend.signature;
      expect(sig.inputs.length).toBeGreaterThan(0);
      expect(sig.outputs.length).toBeGreaterThan(0);
      for (const spec of [...sig.inputs, ...sig.outputs]) {
        expect(DTYPES).toContain(spec.dtype);
        expect(spec.name).not.toBe('');
        if (spec.shape) for (const d of spec.shape) expect(Number.isInteger(d) && d >= -1).toBe(true);
      }
      expect(new Set(sig.inputs.map((i) => i.name)).size).toBe(sig.inputs.length);
      if (inputs) expect(sig.inputs.map((i) => i.name)).toEqual(inputs);
      if (outputs) expect(sig.outputs.map((o) => o.name)).toEqual(outputs);
    });

    it('returns every output with its declared dtype and a consistent shape', async () => {
      const { backend, sample } = await subject();
      const out = await backend.run(copy(sample(3)));
      expect(Object.keys(out).sort()).toEqual(backend.signature.outputs.map((o) => o.name).sort());
      for (const spec of backend.signature.outputs) {
        const t = out[spec.name]!;
        expect(t.dtype, spec.name).toBe(spec.dtype);
        expect(t.data.length, spec.name).toBe(elementCount(t.shape));
        if (spec.dtype === 'string') expect(Array.isArray(t.data)).toBe(true);
        else if (TYPED[spec.dtype]) expect(t.data).toBeInstanceOf(TYPED[spec.dtype]!);
      }
    });

    it('runs any batch size, a row giving the same answer alone and in a batch', async () => {
      const { backend, sample, tolerance = 1e-5 } = await subject();
      for (const batch of [1, 2, 7]) {
        const out = await backend.run(copy(sample(batch)));
        for (const t of Object.values(out)) expect(t.shape[0]).toBe(batch);
      }
      const alone = await backend.run(copy(sample(1)));
      const batched = await backend.run(copy(sample(7)));
      for (const name of Object.keys(alone)) expect(closeTo(row(batched[name]!, 0), row(alone[name]!, 0), tolerance), name).toBe(true);
    });

    it('computes only the outputs asked for', async () => {
      const { backend, sample } = await subject();
      const first = backend.signature.outputs[0]!.name;
      expect(Object.keys(await backend.run(copy(sample(2)), [first]))).toEqual([first]);
    });

    it("refuses a bad input as the caller's fault (4xx), and keeps serving", async () => {
      const { backend, sample, callerFault } = await subject();
      const err = await backend.run(copy(callerFault)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ServingError);
      expect((err as ServingError).httpStatus).toBeGreaterThanOrEqual(400);
      expect((err as ServingError).httpStatus).toBeLessThan(500);
      expect(Object.keys(await backend.run(copy(sample(1))))).not.toHaveLength(0);
    });

    it('serves concurrent runs, each getting its own answer', async () => {
      const { backend, sample, tolerance = 1e-5 } = await subject();
      const sizes = [1, 4, 2, 7, 3, 5, 1, 6, 2, 4, 3, 8];
      const alone: { o: NamedTensors }[] = [];
      for (const n of sizes) alone.push({ o: await backend.run(copy(sample(n))) });
      const together = await Promise.all(sizes.map((n) => backend.run(copy(sample(n)))));
      together.forEach((out, k) => {
        for (const [name, t] of Object.entries(out)) {
          expect(t.shape[0]).toBe(sizes[k]);
          expect(closeTo(Array.from(t.data as ArrayLike<unknown>), Array.from(alone[k]!.o[name]!.data as ArrayLike<unknown>), tolerance), name).toBe(true);
        }
      });
    });

    it('unloads: close() releases what it holds and resolves', async () => {
      const { backend } = await subject();
      await expect(backend.close()).resolves.toBeUndefined();
      await teardown?.();
    });
  });
}
