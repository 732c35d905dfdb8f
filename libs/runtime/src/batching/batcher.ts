import type { BatchingConfig } from '../config/schema.js';
import { ServingError } from '../errors.js';
import type { NamedTensors } from '../tensor/tensor.js';
import { concatRows, rowsOf, sliceRows } from '../tensor/rows.js';
import { OneBuffer } from '../tensor/one-buffer.js';
import { sameBatchLayout } from './batch-layout.js';

type Run = (inputs: NamedTensors, outputs?: readonly string[]) => Promise<NamedTensors>;

interface Task {
  inputs: NamedTensors;
  rows: number;
  resolve: (outputs: NamedTensors) => void;
  reject: (err: unknown) => void;
}

interface OpenBatch {
  outputs: readonly string[] | undefined;
  tasks: Task[];
  rows: number;
  timer: NodeJS.Timeout | NodeJS.Immediate;
}

/**
 * Dynamic batching, as TF Serving's batching_parameters: the first request of a batch waits
 * up to batchTimeoutMicros for others with the same input layout, then they run as one.
 * Requests larger than maxBatchSize, or without a common batch dimension, run alone.
 */
export class Batcher {
  private open: OpenBatch | undefined;
  private queued = 0;
  /** Batchable requests submitted in this turn of the event loop, and in the last turn that had any. */
  private submitsThisTurn = 0;
  private submitsLastTurn = 0;
  private turnEnd: NodeJS.Immediate | undefined;

  private readonly run: Run;

  constructor(
    run: Run,
    private readonly config: BatchingConfig,
    private readonly onBatch?: (rows: number) => void,
  ) {
    // A backend that throws instead of rejecting must still fail only its own requests:
    // an exception escaping a flush would be an unhandled rejection, and end the process.
    this.run = (inputs, outputs) => {
      try {
        return run(inputs, outputs);
      } catch (err) {
        return Promise.reject(err);
      }
    };
  }

  /**
   * `alone`: the caller knows no other request could join this one (nothing else in flight);
   * with no batch open and no wait configured, it runs at once instead of at the turn's end,
   * unless the last turn brought several requests. A backend that answers synchronously
   * (the ONNX interpreter) finishes each request before the next one is even decoded, so
   * under load every request would look alone and run by itself; the last turn's count is
   * what tells a lone caller (c=1) from a busy loop, whose requests then share runs.
   */
  submit(inputs: NamedTensors, outputs?: readonly string[], alone = false): Promise<NamedTensors> {
    const rows = rowsOf(inputs);
    if (rows === undefined || rows === 0 || rows >= this.config.maxBatchSize) return this.run(inputs, outputs);
    this.countTurn();
    if (alone && !this.open && this.config.batchTimeoutMicros === 0 && this.submitsLastTurn <= 1) return this.run(inputs, outputs);
    if (this.queued >= this.config.maxEnqueuedRequests) {
      return Promise.reject(new ServingError('UNAVAILABLE', 'the batch queue is full; retry later'));
    }
    const open = this.open;
    if (open && (open.rows + rows > this.config.maxBatchSize || !sameBatchLayout(open.tasks[0]!.inputs, open.outputs, inputs, outputs))) this.flush();
    return new Promise<NamedTensors>((resolve, reject) => {
      this.queued++;
      if (!this.open) {
        // 0 µs: no waiting, only the requests decoded in the same turn of the event loop run
        // together (setImmediate runs after this turn's I/O callbacks). A timer cannot do
        // that: Node's shortest setTimeout is 1 ms, which a lone caller would pay on every request.
        const wait = this.config.batchTimeoutMicros;
        const timer = wait === 0 ? setImmediate(() => this.flush()) : setTimeout(() => this.flush(), wait / 1000);
        this.open = { outputs, tasks: [], rows: 0, timer };
      }
      this.open.tasks.push({ inputs, rows, resolve, reject });
      this.open.rows += rows;
      if (this.open.rows >= this.config.maxBatchSize) this.flush();
    });
  }

  private countTurn(): void {
    this.submitsThisTurn++;
    if (this.turnEnd) return;
    // setImmediate runs after this turn's I/O callbacks: every request of the turn is counted.
    this.turnEnd = setImmediate(() => {
      this.submitsLastTurn = this.submitsThisTurn;
      this.submitsThisTurn = 0;
      this.turnEnd = undefined;
    });
  }

  private flush(): void {
    const batch = this.open;
    if (!batch) return;
    this.open = undefined;
    if (this.config.batchTimeoutMicros === 0) clearImmediate(batch.timer as NodeJS.Immediate);
    else clearTimeout(batch.timer as NodeJS.Timeout);
    this.queued -= batch.tasks.length;
    this.onBatch?.(batch.rows);
    this.execute(batch).catch((err: unknown) => {
      for (const task of batch.tasks) task.reject(err);
    });
  }

  private async execute(batch: OpenBatch): Promise<void> {
    const { tasks, outputs } = batch;
    if (tasks.length === 1) {
      const task = tasks[0]!;
      return this.run(task.inputs, outputs).then(task.resolve, task.reject);
    }
    const merged: NamedTensors = {};
    const first = tasks[0]!.inputs;
    let bytes = 0;
    for (const name in first) {
      const { dtype, data } = first[name]!;
      if (dtype !== 'string') bytes += OneBuffer.bytesFor(dtype, (data.length / tasks[0]!.rows) * batch.rows);
    }
    const storage = new OneBuffer(bytes);
    for (const name in first) merged[name] = concatRows(tasks.map((t) => t.inputs[name]!), storage);
    let results: NamedTensors;
    try {
      results = await this.run(merged, outputs);
    } catch {
      // One bad request must not fail its neighbours: rerun each alone to find out whose it was.
      await Promise.all(tasks.map((t) => this.run(t.inputs, outputs).then(t.resolve, t.reject)));
      return;
    }
    const splittable = Object.values(results).every((t) => t.shape[0] === batch.rows);
    if (!splittable) {
      await Promise.all(tasks.map((t) => this.run(t.inputs, outputs).then(t.resolve, t.reject)));
      return;
    }
    let at = 0;
    for (const task of tasks) {
      const part: NamedTensors = {};
      for (const [name, t] of Object.entries(results)) part[name] = sliceRows(t, at, at + task.rows);
      at += task.rows;
      task.resolve(part);
    }
  }
}
