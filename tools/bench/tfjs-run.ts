/** One tfjs backend in its own process (tfjs picks a backend once per process): timings as JSON. */
import { loadTfjsBackend } from '@modelyard/runtime/internal/tfjs';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 2000);

const config = { name: 'cars', backend: 'tfjs', artifact: 'model.json' } as never;
const backend = await loadTfjsBackend({ versionDir: 'models/cars/1', modelName: 'cars', version: 1 }, config);
const timings: Record<string, number> = {};
for (const rows of [1, 64]) {
  const make = () => ({ car: { dtype: 'float32' as const, shape: [rows, 5], data: new Float32Array(rows * 5).fill(100) } });
  for (let i = 0; i < 50; i++) await backend.run(make());
  const started = performance.now();
  for (let i = 0; i < ROUNDS; i++) await backend.run(make());
  timings[`rows${rows}`] = (performance.now() - started) / ROUNDS;
}
process.stdout.write(JSON.stringify(timings));
