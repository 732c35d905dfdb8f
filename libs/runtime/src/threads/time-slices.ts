/**
 * Cooperative time slices for the codec work of large requests, so that one 10 MB body
 * never holds the event loop (probes, other callers, socket writes) for more than ~100 ms.
 *
 * Why slicing and not a codec worker thread: the decoded body must end up on the main
 * thread anyway (hooks see the records, the batcher and the data plane run here), so a
 * worker would parse once there and then pay a structured clone of the whole object graph
 * back, with every typed error rebuilt across the boundary. Slicing keeps one code path,
 * the same errors thrown from the same place, and costs nothing for small requests.
 *
 * How: a codec's per-row loop is written once as a generator (`Steps`) that yields at
 * checkpoints (every few hundred elements). `runSteps` drives it straight through, for
 * small bodies and for callers that must stay synchronous; `runSliced` drives it through a
 * `Slicer`, which looks at the clock at each checkpoint and, once its slice (~10 ms) is
 * spent, lets the loop run (setImmediate: I/O and timers first) before it goes on.
 * What cannot be cut (one JSON.parse, 30–65 ms for 10 MB here) sets the floor.
 */

import { valueCount } from '../tensor/tensor.js';

/** A codec step that pauses at checkpoints: `yield` where it is safe to let the loop run. */
export type Steps<T> = Generator<void, T, void>;

/** Bodies at least this large take the sliced path; smaller ones stay synchronous. */
export const LARGE_BODY_BYTES = 256 * 1024;

/** Work per slice before the loop gets a turn; checkpoints are a few hundred µs apart. */
export const SLICE_MS = 10;

/** Elements (values, records) between two checkpoints of a codec loop: well under 1 ms. */
export const CHECKPOINT_EVERY = 1024;

/**
 * Counts a loop's work in elements and says when a checkpoint is due, so a loop over rows
 * of one value and a loop over rows of 784 values both pause after about as much work.
 */
export class Checkpoints {
  private count = 0;

  due(elements = 1): boolean {
    this.count += elements;
    if (this.count < CHECKPOINT_EVERY) return false;
    this.count = 0;
    return true;
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** One request's share of the event loop: slices of SLICE_MS, counted from its creation. */
export class Slicer {
  private sliceEnd = performance.now() + SLICE_MS;
  /** Times this request let the loop run (for tests and metrics). */
  yields = 0;

  /** Lets the loop run if the current slice is spent; else resolves at once. */
  async pause(): Promise<void> {
    if (performance.now() < this.sliceEnd) return;
    await nextTurn();
    this.yields++;
    this.sliceEnd = performance.now() + SLICE_MS;
  }

  /** Drives `steps` to its end, pausing between slices. Errors come out as the steps threw them. */
  async run<T>(steps: Steps<T>): Promise<T> {
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      if (performance.now() >= this.sliceEnd) await this.pause();
    }
  }
}

/** Drives `steps` to its end without pausing: the synchronous path. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** A slicer for a body of `bytes`, or undefined when it is small enough to decode in one go. */
export const slicerFor = (bytes: number): Slicer | undefined => (bytes >= LARGE_BODY_BYTES ? new Slicer() : undefined);

/** Record tables of at least this many records are turned into tensors in slices. */
export const LARGE_RECORD_COUNT = 4096;

export const slicerForRecords = (records: number): Slicer | undefined => (records >= LARGE_RECORD_COUNT ? new Slicer() : undefined);

/** Answers of at least this many elements are encoded in slices, whatever the body's size. */
export const LARGE_ANSWER_ELEMENTS = 32 * 1024;

/**
 * The slicer a request's encode runs under: the decode's (a large body), or a fresh one
 * when the outputs are large although the body was not; undefined for small answers.
 */
export function slicerForAnswer(decodeSlicer: Slicer | undefined, outputs: Record<string, { data: { length: number } }>): Slicer | undefined {
  if (decodeSlicer) return decodeSlicer;
  return valueCount(outputs) >= LARGE_ANSWER_ELEMENTS ? new Slicer() : undefined;
}

/**
 * A large answer's text as UTF-8 bytes, in a slice of its own: the server then writes the
 * bytes as they are, instead of measuring the string and encoding it in the write.
 */
export function* asBytes(steps: Steps<string>): Steps<Buffer> {
  const text = yield* steps;
  yield;
  return Buffer.from(text, 'utf8');
}

/** `steps` run sliced when a slicer is given, straight through otherwise. */
export function drive<T>(steps: Steps<T>, slicer: Slicer | undefined): T | Promise<T> {
  return slicer ? slicer.run(steps) : runSteps(steps);
}
