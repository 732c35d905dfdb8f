import type { Backend } from '../backends/backend.js';
import { checkOutputs, conformInputs } from '../backends/conform.js';
import { Batcher } from '../batching/batcher.js';
import type { BatchingConfig } from '../config/schema.js';
import { runInRowSlices } from '../batching/split-rows.js';
import { checkBatchSize } from '../tensor/batch-size.js';
import type { NamedTensors, Signature } from '../tensor/tensor.js';

/**
 * One loaded version. A request holds it from resolution to response, so that unloading
 * waits for the requests already running (drain) instead of cutting them off.
 */
export class Servable {
  private inFlight = 0;
  private drained: (() => void) | undefined;
  private readonly batcher: Batcher | undefined;

  constructor(
    readonly version: number,
    readonly backend: Backend,
    batching?: BatchingConfig,
    onBatch?: (rows: number) => void,
    /** Larger requests run in slices of this many rows (batching/split-rows.ts); none: whole. */
    private readonly maxRowsPerRun?: number,
  ) {
    this.batcher = batching ? new Batcher((i, o) => backend.run(i, o), batching, onBatch) : undefined;
  }

  // The only request holding this version has nobody to share a run with: it goes now,
  // not at the end of the loop's turn (a lone caller at c=1 skips one turn of the loop).
  private readonly runRows = (inputs: NamedTensors, outputs?: readonly string[]): Promise<NamedTensors> =>
    this.batcher ? this.batcher.submit(inputs, outputs, this.inFlight <= 1) : this.backend.run(inputs, outputs);

  get signature(): Signature {
    return this.backend.signature;
  }

  /**
   * Holds the servable while `fn` runs. The count goes up before the first await, so a
   * caller that resolved this servable in the same tick cannot lose it to an unload.
   */
  async use<T>(fn: (servable: Servable) => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await fn(this);
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) this.drained?.();
    }
  }

  /** Runs the model; takes ownership of the input buffers (they may move to a worker). */
  infer(inputs: NamedTensors, outputs?: readonly string[]): Promise<NamedTensors> {
    checkOutputs(outputs, this.signature);
    const conformed = conformInputs(inputs, this.signature);
    checkBatchSize(conformed, this.signature);
    return runInRowSlices(this.runRows, conformed, outputs, this.maxRowsPerRun);
  }

  /** Resolves once no request holds the servable any more, then releases the backend. */
  async unload(): Promise<void> {
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    await this.backend.close();
  }
}
