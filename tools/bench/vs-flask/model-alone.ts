/**
 * The model alone: onnxruntime-node runs of the benchmark's model on the serving loop, with
 * the runtime's own session options, no HTTP and no decoding (the tensors are built once).
 * What any server that runs this model in its event loop pays per request at the least:
 * with the bare node:http + JSON round trip it bounds the c=1 figure from above.
 *
 * Run by main.ts as `node --import tsx model-alone.ts <model.onnx> <one.json> <batch.json>`;
 * prints one JSON line: microseconds per run (median of 5 rounds of 1 s) for 1 and 100 records.
 */
import { readFile } from 'node:fs/promises';
import ort from 'onnxruntime-node';

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
  const result: Record<string, number> = {};
  for (const [name, file] of [['oneRecordUs', oneFile], ['hundredRecordsUs', batchFile]] as const) {
    const feeds = feedsOf((JSON.parse(await readFile(file, 'utf8')) as { data: Record_[] }).data);
    for (let i = 0; i < 200; i++) await session.run(feeds);
    const rounds: number[] = [];
    for (let round = 0; round < 5; round++) {
      let runs = 0;
      const start = performance.now();
      while (performance.now() - start < 1000) {
        await session.run(feeds);
        runs++;
      }
      rounds.push(((performance.now() - start) * 1000) / runs);
    }
    result[name] = rounds.sort((a, b) => a - b)[2]!;
  }
  await session.release();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

void main();
