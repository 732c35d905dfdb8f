/**
 * Recording real requests: every sampled request is one JSON line, configured fields are
 * written as null, files rotate at their size bound and only maxFiles old ones are kept.
 */
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelServer } from '../server/model-server.js';
import { copyModel, loadReference, startTestServer, type Reference } from '../testing/fixtures.js';

let root: string;
let server: ModelServer;
let ref: Reference;

beforeAll(async () => {
  ref = await loadReference('penguins', 1);
  root = await copyModel('penguins', [1], { versionPolicy: { latest: { numVersions: 1 } }, labels: {} });
  const dir = join(root, 'recordings');
  const file = join(root, 'penguins', 'model.json');
  const config = JSON.parse(await readFile(file, 'utf8'));
  await writeFile(file, JSON.stringify({ ...config, record: { dir, sample: 1, maxFileBytes: 4000, maxFiles: 2, redact: ['Sex', 'Island', 'sex'] } }));
  server = await startTestServer({ models: ['penguins'], modelsDir: root });
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

describe('request recording', () => {
  it('writes sampled requests as JSON lines, redacted, rotated at the size bound, keeping maxFiles', async () => {
    for (let i = 0; i < 60; i++) expect((await request(server.app).post('/get_score').send({ data: ref.records.slice(i, i + 2) })).status).toBe(200);
    await server.context.dataPlane.recorders.get('penguins')!.flush();
    const folder = join(root, 'recordings', 'penguins');
    expect((await readdir(folder)).sort()).toEqual(['requests.1.jsonl', 'requests.2.jsonl', 'requests.jsonl']);
    for (const name of await readdir(folder)) expect((await stat(join(folder, name))).size).toBeLessThanOrEqual(4000);
    const newest = (await readFile(join(folder, 'requests.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const last = newest.at(-1)!;
    expect(last).toMatchObject({ model: 'penguins', version: 1 });
    // The caller's record, with the redacted fields nulled and every other field as sent.
    expect(last.records).toEqual(ref.records.slice(59, 61).map((r) => ({ ...r, Sex: null, Island: null })));
    expect(Date.parse(last.time)).toBeGreaterThan(Date.now() - 60_000);
    // Rotation kept the newest: the files together end with request 59, and older ones are gone.
    const all = [];
    for (const name of ['requests.2.jsonl', 'requests.1.jsonl', 'requests.jsonl']) all.push(...(await readFile(join(folder, name), 'utf8')).trim().split('\n'));
    expect(all.length).toBeLessThan(60);
    expect(JSON.parse(all[0]!).records[0]['Beak Length (mm)']).toBe(ref.records[60 - all.length]!['Beak Length (mm)']);
  });

  it('records tensors from /v2 too, leaving redacted inputs out', async () => {
    const body = { inputs: Object.entries({ island: 'Dream', bill_length_mm: 46.5, bill_depth_mm: 17.9, flipper_length_mm: 192, body_mass_g: 3500, sex: 'FEMALE' }).map(([name, v]) => ({ name, shape: [1, 1], datatype: typeof v === 'string' ? 'BYTES' : 'FP32', data: [v] })) };
    expect((await request(server.app).post('/v2/models/penguins/infer').send(body)).status).toBe(200);
    await server.context.dataPlane.recorders.get('penguins')!.flush();
    const lines = (await readFile(join(root, 'recordings', 'penguins', 'requests.jsonl'), 'utf8')).trim().split('\n');
    const entry = JSON.parse(lines.at(-1)!);
    expect(entry.inputs['bill_length_mm']).toEqual({ datatype: 'float32', shape: [1, 1], data: [46.5] });
    expect(entry.inputs['island']).toEqual({ datatype: 'string', shape: [1, 1], data: ['Dream'] });
    expect(Object.keys(entry.inputs)).not.toContain('sex');
  });
});
