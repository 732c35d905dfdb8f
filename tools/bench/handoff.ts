/**
 * What the hop to an onnxruntime worker thread costs, on the vs-flask model (issue 9): the
 * same runs inline on the event loop, through the pool with the tensors structured-cloned
 * (the old hand-off), and through the pool with the tensors packed into one transferred
 * buffer each way (packed-tensors.ts). The machine is shared, so the variants run in the
 * same process, interleaved round by round (A/B/C, A/B/C, ...), and the report gives each
 * round's ratios and their median rather than trusting absolute figures.
 *
 *   npm run bench:handoff                          5 rounds of 1 s per cell → docs/benchmarks/handoff.md
 *   npm run bench:handoff -- --rounds 3 --seconds 0.5 --out tmp/handoff
 *     --model DIR   a model folder (model.json + 1/model.onnx); default the one
 *                   `npm run bench:vs-flask` trains, tmp/bench-vs-flask/models/seattle-weather
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createSession } from '../../libs/runtime/src/backends/onnx/create-session.js';
import { runSession } from '../../libs/runtime/src/backends/onnx/ort-convert.js';
import { WorkerPool } from '../../libs/runtime/src/backends/onnx/worker-pool.js';
import type { NamedTensors } from '../../libs/runtime/src/tensor/tensor.js';

const { values: opts } = parseArgs({
  options: {
    model: { type: 'string', default: 'tmp/bench-vs-flask/models/seattle-weather' },
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '1' },
    out: { type: 'string', default: 'docs/benchmarks' },
  },
});
const rounds = Number(opts.rounds);
const seconds = Number(opts.seconds);
if (!(Number.isInteger(rounds) && rounds >= 1)) throw new Error(`--rounds must be a whole number ≥ 1, got ${opts.rounds}`);
if (!(seconds > 0)) throw new Error(`--seconds must be > 0, got ${opts.seconds}`);

interface InputConfig {
  name: string;
  dtype: 'float32' | 'string';
  field: string;
}

/** One request's tensors as the data plane builds them: one [rows, 1] column per input. */
function tensorsOf(inputs: InputConfig[], records: Record<string, string | number>[]): NamedTensors {
  const out: NamedTensors = {};
  for (const i of inputs) {
    const values = records.map((r) => r[i.field]!);
    out[i.name] =
      i.dtype === 'string'
        ? { dtype: 'string', shape: [records.length, 1], data: values.map(String) }
        : { dtype: 'float32', shape: [records.length, 1], data: Float32Array.from(values as number[]) };
  }
  return out;
}

type Run = (inputs: NamedTensors) => Promise<NamedTensors>;

/** Runs per second with `concurrency` callers for `seconds`, each building its request's tensors. */
async function measure(run: Run, make: () => NamedTensors, concurrency: number): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await run(make());
        done++;
      }
    }),
  );
  return done / seconds;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  const dir = resolve(opts.model);
  const config = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as { name: string; inputs: InputConfig[] };
  const modelPath = join(dir, '1', 'model.onnx');
  const bodies = resolve(dir, '..', '..', 'bodies');
  const one = (JSON.parse(await readFile(join(bodies, 'one.json'), 'utf8')) as { data: Record<string, string | number>[] }).data;
  const batch = (JSON.parse(await readFile(join(bodies, 'batch.json'), 'utf8')) as { data: Record<string, string | number>[] }).data;

  const session = await createSession(modelPath, 1);
  const clonePool = new WorkerPool(1, 'structured-clone');
  const packedPool = new WorkerPool(1, 'packed');
  const cloned = await clonePool.host({ modelPath, hosts: 1, intraOpThreads: 1 });
  const packed = await packedPool.host({ modelPath, hosts: 1, intraOpThreads: 1 });
  const variants: [string, Run][] = [
    ['inline', (inputs) => runSession(session, inputs)],
    ['pool, structured clone', (inputs) => cloned.run(inputs)],
    ['pool, packed buffer', (inputs) => packed.run(inputs)],
  ];
  // The three must agree before their speed means anything.
  const answers = await Promise.all(variants.map(([, run]) => run(tensorsOf(config.inputs, batch))));
  const labels = answers.map((a) => JSON.stringify(Array.from(a['label']!.data as ArrayLike<unknown>, String)));
  if (new Set(labels).size !== 1) throw new Error('the variants disagree on the labels of the batch');

  const cells: [string, () => NamedTensors, number][] = [
    ['1 record, c=1', () => tensorsOf(config.inputs, one), 1],
    ['1 record, c=32', () => tensorsOf(config.inputs, one), 32],
    ['100 records, c=8', () => tensorsOf(config.inputs, batch), 8],
  ];
  const perRound: Record<string, number[][]> = {};
  for (const [cell, make, c] of cells) {
    perRound[cell] = [];
    for (const [, run] of variants) await measure(run, make, c); // warm-up, not recorded
  }
  for (let r = 0; r < rounds; r++) {
    for (const [cell, make, c] of cells) {
      const row: number[] = [];
      for (const [, run] of variants) row.push(await measure(run, make, c));
      perRound[cell]!.push(row);
      process.stdout.write(`round ${r + 1} ${cell.padEnd(17)} ${row.map((x, i) => `${variants[i]![0]} ${x.toFixed(0)}/s`).join('   ')}\n`);
    }
  }
  await Promise.all([cloned.close(), packed.close(), session.release()]);

  const lines = [
    '# The hand-off to an onnxruntime worker thread',
    '',
    `Generated by \`npm run bench:handoff\` (tools/bench/handoff.ts) on ${new Date().toISOString().slice(0, 16)}Z: ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), ` +
      `Node ${process.version}, load average ${loadavg()[0]!.toFixed(2)} at the end; model \`${config.name}\` (${config.inputs.length} one-column inputs). ` +
      `${rounds} rounds of ${seconds} s per variant and cell, the variants interleaved in every round; runs per second of the backend alone (no HTTP), each run building its tensors as the data plane does.`,
    '',
    `| cell | ${variants.map(([n]) => `${n} (median runs/s)`).join(' | ')} | packed ÷ clone (median of rounds) | packed ÷ inline |`,
    `|---|${variants.map(() => '---:').join('|')}|---:|---:|`,
  ];
  for (const [cell] of cells) {
    const rows = perRound[cell]!;
    const med = variants.map((_, i) => median(rows.map((row) => row[i]!)));
    const packedVsClone = median(rows.map((row) => row[2]! / row[1]!));
    const packedVsInline = median(rows.map((row) => row[2]! / row[0]!));
    lines.push(`| ${cell} | ${med.map((m) => m.toFixed(0)).join(' | ')} | ${packedVsClone.toFixed(2)}× | ${packedVsInline.toFixed(2)}× |`);
  }
  lines.push(
    '',
    '## Reading',
    '',
    'A run that goes to a worker thread crosses twice: the request tensors to the worker, the answer back. ' +
      '`structured clone` posts the tensor objects: the structured-clone algorithm walks and rebuilds every ' +
      '`{dtype, shape, data}` object and moves one buffer per tensor, 32 of them for one record of this model. ' +
      '`packed buffer` (the default; libs/runtime/src/backends/onnx/packed-tensors.ts) writes every tensor into ' +
      'one ArrayBuffer that is transferred, not copied, and read on the other side as typed-array views into it. ' +
      'What is left of the hop is two thread wake-ups, which a shared machine makes noisy: compare the ratios, ' +
      'and rerun on a quiet machine for absolute figures.',
    '',
  );
  const out = resolve(opts.out);
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'handoff.md'), `${lines.join('\n')}\n`);
  process.stdout.write(`\n${lines.join('\n')}\nwrote ${join(out, 'handoff.md')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`handoff: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
