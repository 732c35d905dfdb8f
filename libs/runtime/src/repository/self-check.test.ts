/**
 * The self-check at load, on the real penguins model: a re-export whose scaler is off by
 * 1 % (testing/fixtures/penguins-skewed, made by tools/models/skew_scaler.py) next to the
 * exporter's reference.json is refused before it serves, with the first differing record
 * in the status API and the log, while the previous version keeps answering every request.
 */
import { copyFile, cp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelServer, type ModelServer } from '../server/model-server.js';
import { copyModel, loadReference, placeVersion, sleep, WORKSPACE_MODELS } from '../testing/fixtures.js';

const SKEWED = resolve(WORKSPACE_MODELS, '../libs/runtime/src/testing/fixtures/penguins-skewed/model.onnx');

let root: string;
let server: ModelServer;
const logLines: { msg: string; error?: string; version?: number; rows?: number }[] = [];

const versionStatus = async () => (await request(server.app).get('/v1/models/penguins')).body.model_version_status as { version: string; state: string; status: { error_message: string } }[];
const statusJson = async () => (await request(server.app).get('/status.json')).body as { models: { versions: { version: number; state: string; error?: string; warning?: string }[] }[] };

beforeAll(async () => {
  root = await copyModel('penguins', [1], { versionPolicy: { latest: { numVersions: 1 } }, labels: {}, pollSeconds: 0.1 });
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  server = await createModelServer({ modelsDir: root, models: ['penguins'], logger: pino({ level: 'info' }, sink) });
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

describe('self-check at load', () => {
  it('the example version passes its own references', () => {
    expect(logLines.find((l) => l.msg === 'self-check passed')).toMatchObject({ version: 1, rows: 347 });
  });

  it('every in-process example passes its references: onnx (penguins v1 + v2, iris) and tfjs (cars)', async () => {
    const lines: { msg: string; model?: string; version?: number; rows?: number }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const all = await createModelServer({ modelsDir: WORKSPACE_MODELS, models: ['penguins', 'iris', 'cars'], logger: pino({ level: 'info' }, sink) });
    try {
      const passed = lines.filter((l) => l.msg === 'self-check passed').map((l) => `${l.model}/${l.version}: ${l.rows}`).sort();
      expect(passed).toEqual(['cars/1: 392', 'iris/1: 150', 'penguins/1: 347', 'penguins/2: 347']);
      for (const m of all.models.all()) expect(m.repository.status().every((s) => s.state === 'AVAILABLE' && !s.warning)).toBe(true);
    } finally {
      await all.close();
    }
  });

  it('refuses a re-export with its scaler off by 1 %, naming the first differing record; version 1 serves on with zero failures', async () => {
    const ref1 = await loadReference('penguins', 1);
    const statuses: number[] = [];
    const v2versions: string[] = [];
    let done = false;
    const scoreLoop = async () => {
      while (!done) statuses.push((await request(server.app).post('/get_score').send({ data: ref1.records.slice(0, 3) })).status);
    };
    // /v2 names the version that answered.
    const body = { inputs: Object.entries({ island: 'Dream', bill_length_mm: 46.5, bill_depth_mm: 17.9, flipper_length_mm: 192, body_mass_g: 3500, sex: 'FEMALE' }).map(([name, v]) => ({ name, shape: [1, 1], datatype: typeof v === 'string' ? 'BYTES' : 'FP32', data: [v] })) };
    const inferLoop = async () => {
      while (!done) {
        const res = await request(server.app).post('/v2/models/penguins/infer').send(body);
        statuses.push(res.status);
        if (res.status === 200) v2versions.push(res.body.model_version);
      }
    };
    const loops = [scoreLoop(), inferLoop(), inferLoop()];
    await sleep(200);
    // The skewed artifact with the references the exporter wrote for the original.
    await placeVersion(root, 'penguins', 2, async (dir) => {
      await copyFile(join(WORKSPACE_MODELS, 'penguins', '1', 'reference.json'), join(dir, 'reference.json'));
      await copyFile(SKEWED, join(dir, 'model.onnx'));
    });
    const started = Date.now();
    while (!(await versionStatus()).some((s) => s.version === '2' && s.state === 'END') && Date.now() - started < 20_000) await sleep(50);
    await sleep(300); // a few more polls: the refused version is not retried
    done = true;
    await Promise.all(loops);

    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(new Set(v2versions)).toEqual(new Set(['1']));

    const v2 = (await versionStatus()).find((s) => s.version === '2')!;
    expect(v2.state).toBe('END');
    // The first record whose probabilities moved more than 1e-4, expected vs got.
    expect(v2.status.error_message).toMatch(/^self-check failed: \d+ of 347 reference records differ \(tolerance 0\.0001\); first: record \d+ \{"Island":/);
    expect(v2.status.error_message).toMatch(/output "probabilities" expected \[[\d.e-]+,[\d.e-]+,[\d.e-]+\], got \[[\d.e-]+,[\d.e-]+,[\d.e-]+\]$/);
    const logged = logLines.find((l) => l.msg === 'version failed to load; it will not be served' && l.version === 2);
    expect(logged?.error).toBe(v2.status.error_message);
    expect((await statusJson()).models[0]!.versions.find((v) => v.version === 2)).toMatchObject({ state: 'END', error: v2.status.error_message });
    expect((await versionStatus()).find((s) => s.version === '1')!.state).toBe('AVAILABLE');
  });

  it('the first differing record it names really differs by more than the tolerance', async () => {
    const message = (await versionStatus()).find((s) => s.version === '2')!.status.error_message;
    const [, row] = /first: record (\d+) /.exec(message)!;
    const [, expected, got] = /expected (\[[^\]]+\]), got (\[[^\]]+\])/.exec(message)!;
    const ref = await loadReference('penguins', 1);
    expect(JSON.parse(expected!)).toEqual(ref.outputs['probabilities']![Number(row)]);
    const e = JSON.parse(expected!) as number[];
    const g = JSON.parse(got!) as number[];
    expect(Math.max(...e.map((x, i) => Math.abs(x - g[i]!)))).toBeGreaterThan(1e-4);
    // Every record before it was within the tolerance: it is the first.
    expect(message).toContain(JSON.stringify(ref.records[Number(row)]));
  });

  it('a version without references loads, with a warning in the status API', async () => {
    await rm(join(root, 'penguins', '2'), { recursive: true, force: true });
    await placeVersion(root, 'penguins', 3, async (dir) => {
      await cp(join(WORKSPACE_MODELS, 'penguins', '2'), dir, { recursive: true });
      await rm(join(dir, 'reference.json'));
    });
    const started = Date.now();
    while (!(await versionStatus()).some((s) => s.version === '3' && s.state === 'AVAILABLE') && Date.now() - started < 20_000) await sleep(50);
    const v3 = (await statusJson()).models[0]!.versions.find((v) => v.version === 3)!;
    expect(v3.state).toBe('AVAILABLE');
    expect(v3.warning).toBe('no reference.json in the version folder: loaded without a self-check');
    expect(logLines.some((l) => l.msg === v3.warning && l.version === 3)).toBe(true);
  });

  it('a reference.json that is not JSON refuses the version, saying so', async () => {
    await placeVersion(root, 'penguins', 4, async (dir) => {
      await cp(join(WORKSPACE_MODELS, 'penguins', '2'), dir, { recursive: true });
      await writeFile(join(dir, 'reference.json'), '{"records": [');
    });
    const started = Date.now();
    while (!(await versionStatus()).some((s) => s.version === '4' && s.state === 'END') && Date.now() - started < 20_000) await sleep(50);
    const v4 = (await versionStatus()).find((s) => s.version === '4')!;
    expect(v4.status.error_message).toMatch(/^reference\.json is not valid JSON/);
    expect((await versionStatus()).find((s) => s.version === '3')!.state).toBe('AVAILABLE');
  });

  it('references the model cannot read (a field missing) refuse the version, naming the field', async () => {
    await placeVersion(root, 'penguins', 5, async (dir) => {
      await cp(join(WORKSPACE_MODELS, 'penguins', '2'), dir, { recursive: true });
      await writeFile(join(dir, 'reference.json'), JSON.stringify({ records: [{ Island: 'Dream' }], outputs: { label: ['Adelie'] } }));
    });
    const started = Date.now();
    while (!(await versionStatus()).some((s) => s.version === '5' && s.state === 'END') && Date.now() - started < 20_000) await sleep(50);
    const v5 = (await versionStatus()).find((s) => s.version === '5')!;
    expect(v5.status.error_message).toMatch(/^reference\.json cannot be fed to this version \(rows 0–0\): .*Beak Length \(mm\)/);
    expect((await versionStatus()).find((s) => s.version === '3')!.state).toBe('AVAILABLE');
  });
});
