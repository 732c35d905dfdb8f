/**
 * Test helpers shared by the runtime's and the apps' tests: the workspace's real models,
 * their training-time references, and a server built over them.
 */
import { cp, mkdir, mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { createModelServer, type ModelServer, type ModelServerOptions } from '../server/model-server.js';
import type { Hooks } from '../inference/hooks.js';
import { seededRandom } from './seeded-random.js';

export const WORKSPACE_MODELS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../models');

export interface Reference {
  records: Record<string, unknown>[];
  outputs: Record<string, unknown[]>;
}

export async function loadReference(model: string, version: number): Promise<Reference> {
  return JSON.parse(await readFile(join(WORKSPACE_MODELS, model, String(version), 'reference.json'), 'utf8')) as Reference;
}

export const silentLogger = () => pino({ level: 'silent' });

export async function startTestServer(
  options: { models: string[]; modelsDir?: string; hooks?: Record<string, Hooks>; bodyLimit?: string } & Partial<Pick<ModelServerOptions, 'corsAllowOrigin' | 'accessLogSample'>>,
): Promise<ModelServer> {
  return createModelServer({ modelsDir: WORKSPACE_MODELS, logger: silentLogger(), ...options });
}

/**
 * A private copy of a model folder (config plus the chosen versions), so a test can add,
 * break and remove versions while the server polls it.
 */
export async function copyModel(model: string, versions: number[], configChanges: Record<string, unknown> = {}): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'modelyard-models-'));
  const config = JSON.parse(await readFile(join(WORKSPACE_MODELS, model, 'model.json'), 'utf8'));
  await cp(join(WORKSPACE_MODELS, model), join(root, model), { recursive: true, filter: (src) => !/\/\d+(\/|$)/.test(src.slice(WORKSPACE_MODELS.length)) });
  await writeFile(join(root, model, 'model.json'), JSON.stringify({ ...config, ...configChanges }));
  for (const v of versions) await addVersion(root, model, v);
  return root;
}

/**
 * Puts a version folder in place whole, as a deploy should: its files are written into a
 * staging folder the repository does not scan (not a number), which is then renamed. A
 * folder the poller finds half-written fails first for its missing artifact (ENOENT), and a
 * test waiting for the version's state would read that error, not the one it is after.
 */
export async function placeVersion(root: string, model: string, version: number, write: (dir: string) => Promise<unknown>): Promise<void> {
  const staging = join(root, model, `.staging-${version}`);
  await mkdir(staging, { recursive: true });
  await write(staging);
  await rename(staging, join(root, model, String(version)));
}

export async function addVersion(root: string, model: string, version: number, from = version): Promise<void> {
  await placeVersion(root, model, version, (dir) => cp(join(WORKSPACE_MODELS, model, String(from)), dir, { recursive: true }));
}

/** Assert-friendly: every number of `actual` within `tolerance` of `expected`, same structure. */
export function maxAbsDiff(actual: unknown, expected: unknown): number {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return Infinity;
    return expected.reduce<number>((m, e, i) => Math.max(m, maxAbsDiff(actual[i], e)), 0);
  }
  if (typeof expected === 'number') return typeof actual === 'number' ? Math.abs(actual - expected) : Infinity;
  return actual === expected ? 0 : Infinity;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The penguins model's inputs and the record field each reads (models/penguins/model.json). */
export const PENGUIN_INPUTS = {
  island: 'Island',
  bill_length_mm: 'Beak Length (mm)',
  bill_depth_mm: 'Beak Depth (mm)',
  flipper_length_mm: 'Flipper Length (mm)',
  body_mass_g: 'Body Mass (g)',
  sex: 'Sex',
} as const;
/** The penguins inputs that take strings (BYTES on v2); the rest are FP32. */
export const PENGUIN_STRING_INPUTS: ReadonlySet<string> = new Set(['island', 'sex']);

/**
 * Penguins that are not in the dataset (seeded, so every run sends the same ones): spread
 * over and a little past its ranges, where v1 (logistic regression) and v2 (random forest)
 * disagree now and then — the reference records alone never make them disagree.
 */
export function syntheticPenguins(count: number, seed = 7): Record<string, unknown>[] {
  const random = seededRandom(seed);
  const between = (lo: number, hi: number, step: number) => Math.round((lo + random() * (hi - lo)) / step) * step;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  return Array.from({ length: count }, () => ({
    [PENGUIN_INPUTS.island]: pick(['Biscoe', 'Dream', 'Torgersen']),
    [PENGUIN_INPUTS.bill_length_mm]: Number(between(32, 60, 0.1).toFixed(1)),
    [PENGUIN_INPUTS.bill_depth_mm]: Number(between(13, 22, 0.1).toFixed(1)),
    [PENGUIN_INPUTS.flipper_length_mm]: between(170, 232, 1),
    [PENGUIN_INPUTS.body_mass_g]: between(2700, 6300, 25),
    [PENGUIN_INPUTS.sex]: pick(['MALE', 'FEMALE', null]),
  }));
}

/**
 * The label each record gets from an ONNX file, straight through onnxruntime with tensors
 * built here: an independent check on the runtime's own feature stage and comparisons.
 */
export async function penguinLabelsByOnnx(modelFile: string, records: readonly Record<string, unknown>[]): Promise<string[]> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(modelFile);
  try {
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const [input, field] of Object.entries(PENGUIN_INPUTS)) {
      const values = records.map((r) => r[field] ?? null);
      feeds[input] = PENGUIN_STRING_INPUTS.has(input)
        ? new ort.Tensor('string', values.map((v) => (v === null ? '' : String(v))), [records.length, 1])
        : new ort.Tensor('float32', Float32Array.from(values.map((v) => (v === null ? NaN : Number(v)))), [records.length, 1]);
    }
    const out = await session.run(feeds, ['label']);
    return [...(out['label']!.data as string[])];
  } finally {
    await session.release();
  }
}
