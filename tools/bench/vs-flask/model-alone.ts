/**
 * The model alone: onnxruntime-node runs of the benchmark's model on the serving loop, with
 * the runtime's own session options, and runs of the same graph in modelyard's interpreter
 * (which `onnx.execution: auto` picks for it), no HTTP and no decoding (the tensors are built once).
 * What any server that runs this model in its event loop pays per request at the least:
 * with the bare node:http + JSON round trip it bounds the c=1 figure from above.
 *
 * Run by main.ts as `node --import tsx model-alone.ts <model.onnx> <one.json> <batch.json>`;
 * prints one JSON line: microseconds per run (median of 5 rounds of 1 s) for 1 and 100 records.
 */
import { readFile } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import { compileOnnxFile } from '../../../libs/runtime/src/backends/onnx/interpreter/interpreter-backend.js';
import type { NamedTensors } from '../../../libs/runtime/src/tensor/tensor.js';

type Record_ = Record<string, string | number | null>;

async function main(): Promise<void> {
  const [modelPath, oneFile, batchFile] = process.argv.slice(2) as [string, string, string];
  const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  const feedsOf = (records: Record_[]) => {
    const feeds: Record<string, ort.Tensor> = {};
    for (const meta of session.inputMetadata) {
      const values = records.map((r) => r[meta.name] ?? null);
      feeds[meta.name] =
        meta.isTensor && meta.type === 'string'
          ? new ort.Tensor('string', values.map((v) => (v === null ? '' : String(v))), [records.length, 1])
          : new ort.Tensor('float32', Float32Array.from(values.map((v) => (v === null ? NaN : Number(v)))), [records.length, 1]);
    }
    return feeds;
  };
  const compiled = await compileOnnxFile(modelPath);
  if (!('graph' in compiled)) throw new Error(`the interpreter cannot run the benchmark's model: ${compiled.unsupported}`);
  const graph = compiled.graph;
  const result: Record<string, number> = {};
  for (const [name, file] of [['oneRecordUs', oneFile], ['hundredRecordsUs', batchFile]] as const) {
    const records = (JSON.parse(await readFile(file, 'utf8')) as { data: Record_[] }).data;
    const feeds = feedsOf(records);
    result[name] = await timed(() => session.run(feeds));
    // The same tensors as our own: the interpreter reads their data arrays directly.
    const tensors: NamedTensors = {};
    for (const [input, t] of Object.entries(feeds)) tensors[input] = { dtype: t.type as never, shape: [...t.dims], data: t.data as never };
    result[name.replace('Us', 'InterpreterUs')] = await timed(async () => graph.run(tensors));
  }
  await session.release();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Microseconds per run: the median of 5 rounds of 1 s, after 200 runs to warm up. */
async function timed(run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await run();
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    let runs = 0;
    const start = performance.now();
    while (performance.now() - start < 1000) {
      await run();
      runs++;
    }
    rounds.push(((performance.now() - start) * 1000) / runs);
  }
  return rounds.sort((a, b) => a - b)[2]!;
}

void main();
