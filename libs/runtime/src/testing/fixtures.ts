/**
 * Test helpers shared by the runtime's and the apps' tests: the workspace's real models,
 * their training-time references, and a server built over them.
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { createModelServer, type ModelServer, type ModelServerOptions } from '../server/model-server.js';
import type { Hooks } from '../inference/hooks.js';

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

export async function addVersion(root: string, model: string, version: number, from = version): Promise<void> {
  await cp(join(WORKSPACE_MODELS, model, String(from)), join(root, model, String(version)), { recursive: true });
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
