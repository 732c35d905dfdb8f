/**
 * model.json edited under a running app: a valid field-mapping edit is served on the next
 * poll, a broken or unfitting edit is logged and the running config keeps serving, and an
 * edit that needs a restart is not half-applied. Real app, real penguins v1 sessions.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelServer, type ModelServer } from '../server/model-server.js';
import { copyModel, loadReference, silentLogger, sleep, type Reference } from '../testing/fixtures.js';
import { watchModelConfig } from './reload-config.js';

let root: string;
let server: ModelServer;
let ref: Reference;
let original: Record<string, unknown>;

beforeAll(async () => {
  root = await copyModel('penguins', [1], { versionPolicy: { latest: { numVersions: 1 } }, labels: {}, pollSeconds: 0.1, getScore: { output: 'label' } });
  original = JSON.parse(await readFile(join(root, 'penguins', 'model.json'), 'utf8'));
  server = await createModelServer({ modelsDir: root, models: ['penguins'], logger: silentLogger() });
  ref = await loadReference('penguins', 1);
});
afterAll(() => server.close());

const file = () => join(root, 'penguins', 'model.json');
const edit = (changes: Record<string, unknown>) => writeFile(file(), JSON.stringify({ ...original, ...changes }));
/** The penguins inputs with "Island" renamed to "island_name". */
const renamedInputs = () =>
  (original['inputs'] as { name: string; field?: string }[]).map((i) => (i.field === 'Island' ? { ...i, field: 'island_name' } : i));
const renamedRecord = (r: Record<string, unknown>) => {
  const { Island, ...rest } = r;
  return { ...rest, island_name: Island };
};

async function eventually(check: () => Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

describe('model.json edits while running', () => {
  it('serves a new field mapping on the next poll, with the same answers', async () => {
    const records = ref.records.slice(0, 5);
    expect((await request(server.app).post('/get_score').send({ data: records.map(renamedRecord) })).status).toBe(400);
    await edit({ inputs: renamedInputs() });
    await eventually(async () => (await request(server.app).post('/get_score').send({ data: records.map(renamedRecord) })).status === 200);
    const res = await request(server.app).post('/get_score').send({ data: records.map(renamedRecord) });
    expect(res.body.data).toEqual((ref.outputs['label'] as string[]).slice(0, 5));
  });

  it('keeps the running config when the edit is broken, does not fit the model, or needs a restart', async () => {
    const model = server.models.get('penguins');
    // No timer of its own: a background look racing the test's would take the edit first.
    const watcher = watchModelConfig(model, join(root, 'penguins'), silentLogger(), { poll: false });
    try {
      await watcher.check();
      const running = model.config;
      await writeFile(file(), '{"name": "penguins", "inputs": [');
      expect(await watcher.check()).toBe('invalid');
      await edit({ inputs: [{ name: 'no_such_input', field: 'x' }] });
      expect(await watcher.check()).toBe('does-not-fit');
      // (without the onnx block, which a tfjs model may not have)
      await edit({ inputs: renamedInputs(), backend: 'tfjs', onnx: undefined });
      expect(await watcher.check()).toBe('needs-restart');
      await edit({ inputs: renamedInputs(), getScore: { output: 'nope' }, outputs: [{ name: 'nope' }] });
      expect(await watcher.check()).toBe('does-not-fit');
      await edit({ inputs: renamedInputs(), getScore: { output: 'nope' } });
      expect(await watcher.check()).toBe('does-not-fit');
      expect(model.config).toBe(running);
      const res = await request(server.app).post('/get_score').send({ data: ref.records.slice(0, 3).map(renamedRecord) });
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual((ref.outputs['label'] as string[]).slice(0, 3));
    } finally {
      watcher.stop();
    }
  });
});
