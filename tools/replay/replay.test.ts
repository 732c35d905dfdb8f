/**
 * `npm run replay` end to end on the penguins example: requests recorded by a real server
 * (model.json's "record" block), then replayed by the CLI against v1 (stable) and v2; the
 * report's label-flip rate must equal the one onnxruntime gives on the two artifacts when
 * driven directly here.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelServer, type ReplayReport } from '@modelyard/runtime';
import { loadReference, penguinLabelsByOnnx, syntheticPenguins, WORKSPACE_MODELS } from '@modelyard/runtime/testing';
import pino from 'pino';
import request from 'supertest';

const run = promisify(execFile);
const WORKSPACE = resolve(WORKSPACE_MODELS, '..');

let dir: string;
let records: Record<string, unknown>[];
let recording: string;

async function replayCli(...args: string[]) {
  return run('npm', ['run', '--silent', 'replay', '--', ...args], { cwd: WORKSPACE, env: { ...process.env, NX_DAEMON: 'false' } });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'replay-'));
  await cp(join(WORKSPACE_MODELS, 'penguins'), join(dir, 'models', 'penguins'), { recursive: true });
  const configFile = join(dir, 'models', 'penguins', 'model.json');
  const config = JSON.parse(await readFile(configFile, 'utf8'));
  await writeFile(configFile, JSON.stringify({ ...config, record: { dir: join(dir, 'recordings'), sample: 1 } }));
  const server = await createModelServer({ modelsDir: join(dir, 'models'), models: ['penguins'], logger: pino({ level: 'silent' }) });
  try {
    records = [...(await loadReference('penguins', 1)).records, ...syntheticPenguins(200, 11)];
    // Requests of 1 to 3 records, as callers send them.
    for (let i = 0; i < records.length; ) {
      const size = 1 + (i % 3);
      const res = await request(server.app).post('/get_score').send({ data: records.slice(i, i + size) });
      expect(res.status).toBe(200);
      i += size;
    }
    await server.context.dataPlane.recorders.get('penguins')!.flush();
  } finally {
    await server.close();
  }
  recording = join(dir, 'recordings', 'penguins', 'requests.jsonl');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('npm run replay', () => {
  it('penguins v1 → v2 on recorded requests: the report\'s label-flip rate equals onnxruntime\'s, computed here', { timeout: 180_000 }, async () => {
    const lines = (await readFile(recording, 'utf8')).trim().split('\n');
    expect(lines.flatMap((l) => JSON.parse(l).records)).toEqual(records.map((r) => JSON.parse(JSON.stringify(r))));

    const out = join(dir, 'out');
    const { stdout } = await replayCli('--model', 'penguins', '--candidate', '2', '--requests', recording, '--models-dir', join(dir, 'models'), '--out', out);
    const report = JSON.parse(await readFile(join(out, 'replay-penguins.json'), 'utf8')) as ReplayReport;

    const [v1, v2] = await Promise.all([1, 2].map((v) => penguinLabelsByOnnx(join(WORKSPACE_MODELS, 'penguins', String(v), 'model.onnx'), records)));
    const flips = v1!.filter((label, i) => label !== v2![i]).length;
    expect(flips).toBeGreaterThan(0);
    expect(report).toMatchObject({ model: 'penguins', current: '1', candidate: '2', requests: lines.length, rows: records.length, labelFlips: flips, failures: [] });
    expect(report.labelFlipRate).toBe(flips / records.length);
    expect(report.meanAbsDelta).toBeGreaterThan(0);
    expect(report.maxAbsDelta).toBeLessThanOrEqual(1);
    expect(report.distribution.reduce((s, d) => s + d.rows, 0)).toBe(records.length);
    // The most changed rows come first: flips, each with its record and both answers.
    expect(report.mostChanged).toHaveLength(10);
    expect(report.mostChanged.every((c) => c.labelFlip)).toBe(true);
    const first = report.mostChanged[0]!;
    const at = records.findIndex((r) => JSON.stringify(r) === JSON.stringify(first.record));
    expect(first.current['label']).toEqual([v1![at]]);
    expect(first.candidate['label']).toEqual([v2![at]]);
    expect(report.latency.current.meanMs).toBeGreaterThan(0);

    const markdown = await readFile(join(out, 'replay-penguins.md'), 'utf8');
    expect(markdown).toContain('# Replay: penguins, 1 → 2');
    expect(markdown).toContain(`| label flips | ${flips} (${((flips / records.length) * 100).toFixed(2)} %) |`);
    expect(stdout).toContain(`${flips} label flips`);
  });

  it('a candidate given as a folder path, identical to the current version, changes nothing', { timeout: 120_000 }, async () => {
    const out = join(dir, 'out-same');
    await replayCli('--model', 'penguins', '--candidate', join(WORKSPACE_MODELS, 'penguins', '1'), '--current', '1', '--requests', recording, '--models-dir', join(dir, 'models'), '--out', out);
    const report = JSON.parse(await readFile(join(out, 'replay-penguins.json'), 'utf8')) as ReplayReport;
    expect(report).toMatchObject({ rows: records.length, labelFlips: 0, labelFlipRate: 0, meanAbsDelta: 0, maxAbsDelta: 0, mostChanged: [] });
  });

  it('says what is wrong: missing flags (exit 2), a broken recording line (exit 1), an unknown version', { timeout: 120_000 }, async () => {
    await expect(replayCli('--model', 'penguins')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('usage: npm run replay') });
    const broken = join(dir, 'broken.jsonl');
    await writeFile(broken, `${(await readFile(recording, 'utf8')).split('\n')[0]}\n{"records": [\n`);
    await expect(replayCli('--model', 'penguins', '--candidate', '2', '--requests', broken, '--models-dir', join(dir, 'models'))).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining(`${broken}:2: not JSON`) });
    await expect(replayCli('--model', 'penguins', '--candidate', '9', '--requests', recording, '--models-dir', join(dir, 'models'))).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('version 9 is not in') });
  });
});
