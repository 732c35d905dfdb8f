/**
 * The promotion pipeline's replay gate, in a scratch copy of the workspace with real
 * commits: prd deploys a commit where penguins serves v1, stg one where it serves v2. The
 * gate replays recorded requests against both, and refuses above the candidate's
 * thresholds, passes below, and lets a person override with a recorded reason.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReference, penguinLabelsByOnnx, syntheticPenguins, WORKSPACE_MODELS } from '@modelyard/runtime/testing';
import { bumpOverlay } from './bump-overlay.js';
import { git } from './git.js';
import { replayGate } from './replay-gate.js';
import { commitAll, scratchRepo, WORKSPACE } from './scratch-repo.js';

const run = promisify(execFile);
const target = { registry: 'harbor.test', project: 'modelyard' };

let cwd: string;
let dir: string;
let flipRate: number;
/** Commits where penguins serves v2 with a flip-rate threshold below / above what v2 does. */
let strict: string;
let lenient: string;
let before: string;

function configWith(changes: Record<string, unknown>): void {
  const file = join(dir, 'models/penguins/model.json');
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(join(WORKSPACE_MODELS, 'penguins/model.json'), 'utf8')), ...changes }, null, 2));
}

function deploy(stg: string, prd: string): void {
  bumpOverlay(['penguins', 'iris'], 'prd', prd, target);
  bumpOverlay(['penguins'], 'stg', stg, target);
  bumpOverlay(['iris'], 'stg', prd, target);
  commitAll(dir, `stg ${stg.slice(0, 7)}, prd ${prd.slice(0, 7)}`);
}

beforeAll(async () => {
  cwd = process.cwd();
  const records = [...(await loadReference('penguins', 1)).records, ...syntheticPenguins(150, 3)];
  const [v1, v2] = await Promise.all([1, 2].map((v) => penguinLabelsByOnnx(join(WORKSPACE_MODELS, 'penguins', String(v), 'model.onnx'), records)));
  flipRate = v1!.filter((l, i) => l !== v2![i]).length / records.length;

  dir = scratchRepo();
  process.chdir(dir);
  configWith({ labels: { stable: 1 } });
  before = commitAll(dir, 'penguins serves v1');
  configWith({ labels: { stable: 2 }, gate: { maxLabelFlipRate: flipRate / 2, maxMeanAbsDelta: 1 } });
  strict = commitAll(dir, 'penguins serves v2, strict gate');
  configWith({ labels: { stable: 2 }, gate: { maxLabelFlipRate: Math.min(1, flipRate * 2), maxMeanAbsDelta: 1 } });
  lenient = commitAll(dir, 'penguins serves v2, lenient gate');
  // What prd recorded: one request per record, as the runtime writes them.
  mkdirSync(join(dir, 'recordings/penguins'), { recursive: true });
  writeFileSync(join(dir, 'recordings/penguins/requests.jsonl'), records.map((r) => JSON.stringify({ time: '2026-11-01T00:00:00Z', model: 'penguins', version: 1, records: [r] })).join('\n') + '\n');
}, 120_000);
afterAll(() => {
  process.chdir(cwd);
  rmSync(dir, { recursive: true, force: true });
});

describe('replay gate (stg → prd)', () => {
  it('refuses a candidate above its label-flip threshold, with the replay report attached', { timeout: 180_000 }, async () => {
    deploy(strict, before);
    const out = join(dir, 'reports-strict');
    const result = await replayGate({ cwd: dir, from: 'stg', to: 'prd', apps: ['penguins', 'iris'], outDir: out });
    expect(result.passed).toBe(false);
    const penguins = result.decisions.find((d) => d.model === 'penguins')!;
    expect(penguins).toMatchObject({ verdict: 'block', current: 1, candidate: 2, requestsFrom: join(dir, 'recordings/penguins') });
    expect(penguins.figures!.labelFlipRate).toBe(flipRate);
    expect(penguins.reasons[0]).toBe(`label-flip rate ${flipRate.toFixed(4)} > ${flipRate / 2}`);
    const report = JSON.parse(readFileSync(penguins.report!, 'utf8'));
    expect(report.labelFlipRate).toBe(flipRate);
    expect(readFileSync(join(out, 'penguins', 'replay-penguins.md'), 'utf8')).toContain('# Replay: penguins, prd v1');
    // iris runs the same commit in both: nothing to replay.
    expect(result.decisions.find((d) => d.model === 'iris')).toMatchObject({ verdict: 'unchanged' });
    expect(JSON.parse(readFileSync(join(out, 'replay-gate.json'), 'utf8')).passed).toBe(false);
  });

  it('passes the same change below its threshold', { timeout: 180_000 }, async () => {
    deploy(lenient, before);
    const result = await replayGate({ cwd: dir, from: 'stg', to: 'prd', apps: ['penguins'], outDir: join(dir, 'reports-lenient') });
    expect(result.passed).toBe(true);
    expect(result.decisions[0]).toMatchObject({ verdict: 'pass', current: 1, candidate: 2 });
    expect(result.decisions[0]!.figures!.labelFlipRate).toBe(flipRate);
  });

  it('the CLI exits 1 on a refusal, and 0 when a person overrides it with a reason, which is recorded', { timeout: 180_000 }, async () => {
    deploy(strict, before);
    const script = join(WORKSPACE, 'tools/ci/replay-gate.ts');
    const args = ['tsx', '--conditions=development', script, '--from', 'stg', '--to', 'prd', '--out', 'reports-cli', 'penguins'];
    const refused = await run('npx', args, { cwd: dir }).then(() => undefined, (err: { code: number; stdout: string }) => err);
    expect(refused?.code).toBe(1);
    expect(refused?.stdout).toMatch(/^penguins\/penguins: BLOCK \(prd v1 → stg v2\): label-flip rate/m);

    const { stdout } = await run('npx', [...args.slice(0, -1), '--override', 'known shift: v2 retrained on 2026 data, signed off by the model owner', 'penguins'], { cwd: dir, env: { ...process.env, BUILD_USER_ID: 'jdoe' } });
    expect(stdout).toContain('OVERRIDDEN by jdoe: known shift: v2 retrained on 2026 data, signed off by the model owner');
    const summary = JSON.parse(readFileSync(join(dir, 'reports-cli', 'replay-gate.json'), 'utf8'));
    expect(summary).toMatchObject({ passed: true, override: { by: 'jdoe', reason: 'known shift: v2 retrained on 2026 data, signed off by the model owner' } });
    expect(summary.decisions[0].verdict).toBe('block');
    expect(git(dir, 'status', '--porcelain').split('\n').filter((l) => !/reports-|recordings/.test(l) && l)).toEqual([]);
  });

  it('with nothing recorded, replays the current version\'s reference records instead, and says so', { timeout: 180_000 }, async () => {
    deploy(lenient, before);
    const result = await replayGate({ cwd: dir, from: 'stg', to: 'prd', apps: ['penguins'], requestsDir: join(dir, 'nowhere'), outDir: join(dir, 'reports-refs') });
    expect(result.decisions[0]!.requestsFrom).toMatch(/penguins\/1\/reference\.json \(no recorded requests\)$/);
    // v1 and v2 agree on every reference record.
    expect(result.decisions[0]!.figures).toMatchObject({ rows: 347, labelFlips: 0 });
  });
});
