import type { Logger } from 'pino';
import { recordTable, type RecordTable } from '../features/record-table.js';
import { recordsToTensors, recordsToTensorsSteps } from '../features/records-to-tensors.js';
import { drive, slicerForRecords } from '../threads/time-slices.js';
import type { Servable } from '../repository/servable.js';
import type { Metrics } from '../dataplane/metrics.js';
import type { NamedTensors } from '../tensor/tensor.js';
import type { HookContext, Protocol } from './hooks.js';
import type { ServedModel } from './served-model.js';

export type PipelineInput = { kind: 'records'; table: RecordTable } | { kind: 'tensors'; tensors: NamedTensors };

export interface PipelineContext {
  protocol: Protocol;
  requestId: string;
  log: Logger;
  metrics: Metrics;
  /** Restricts the outputs computed; undefined means all. */
  outputs?: readonly string[];
}

/**
 * One request's path after the protocol has decoded it:
 * hooks.preprocess → features → (batcher →) backend → hooks.postprocess.
 */
export async function runInference(model: ServedModel, servable: Servable, input: PipelineInput, ctx: PipelineContext): Promise<NamedTensors> {
  const { preprocess, postprocess } = model.hooks;
  // Built only for hooks; its logger is made only if a hook reads it.
  const hookCtx = preprocess || postprocess ? new RequestHookContext(model.name, servable.version, ctx) : undefined;

  // The opt-in pandas reading is the legacy API's promise to the old services' callers only.
  const coerce = ctx.protocol === 'legacy' ? model.config.getScore.coerce : undefined;
  let tensors: NamedTensors;
  if (input.kind === 'records') {
    let table = input.table;
    if (preprocess) {
      const changed = await preprocess({ kind: 'records', records: table.toRows() }, hookCtx!);
      if (changed.kind === 'tensors') tensors = changed.tensors;
      else table = recordTable(changed.records);
    }
    // Many records (a large get_score body) are turned into tensors in time slices.
    tensors ??= await drive(recordsToTensorsSteps(table, servable.signature, model.config.inputs, coerce), slicerForRecords(table.length));
  } else {
    const changed = preprocess ? await preprocess({ kind: 'tensors', tensors: input.tensors }, hookCtx!) : input;
    tensors = changed.kind === 'tensors' ? changed.tensors : recordsToTensors(recordTable(changed.records), servable.signature, model.config.inputs, coerce);
  }

  const started = performance.now();
  let outputs: NamedTensors;
  try {
    outputs = await servable.infer(tensors, ctx.outputs);
  } finally {
    ctx.metrics.recordInference(model.name, servable.version, (performance.now() - started) / 1000);
  }
  return postprocess ? postprocess(outputs, hookCtx!) : outputs;
}

/**
 * What a hook is told about its request. A class with the logger's getter on its
 * prototype: an object literal with `get log()` defines the getter anew per request, and
 * V8's scavenges then kept each one (and the request it closes over) alive until the next
 * full GC (docs/benchmarks/hotpath.md, session 5).
 */
class RequestHookContext implements HookContext {
  readonly protocol: Protocol;
  readonly requestId: string;

  constructor(
    readonly model: string,
    readonly version: number,
    private readonly pipeline: PipelineContext,
  ) {
    this.protocol = pipeline.protocol;
    this.requestId = pipeline.requestId;
  }

  get log(): Logger {
    return this.pipeline.log;
  }
}
