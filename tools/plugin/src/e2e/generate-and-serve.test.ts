/**
 * The command users type, end to end: in a temporary copy of the workspace,
 * `nx g model churn --from <onnx>` → `nx build churn` → the built app serves predictions
 * equal to the model's reference; `nx g remove-model churn` takes it all away again.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nxIn, scratchWorkspace, WORKSPACE } from '../../../scale/scratch-workspace.js';

// Bounded but generous timeouts: nested nx g/build runs take minutes on a loaded 2-core machine.
let dir: string;

const nx = (...args: string[]) => nxIn(dir, ...args);

// Its own copy of the workspace, whose node_modules/@modelyard/* point at the copy: `nx build`
// here writes only the copy's dist folders, never the ones other tests read at the same time.
beforeAll(() => {
  dir = scratchWorkspace('modelyard-e2e-', ['docker-compose.yml']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('nx g model → nx build → serve', () => {
  it('generates, builds and serves a model from an ONNX file', async () => {
    await nx('g', 'model', 'churn', '--from', join(WORKSPACE, 'models/iris/1/model.onnx'));
    expect(existsSync(join(dir, 'apps/churn/src/main.ts'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'models/churn/model.json'), 'utf8')).inputs[0].name).toBe('features');

    await nx('build', 'churn');
    const port = 20000 + (process.pid % 20000);
    const app = spawn(process.execPath, ['apps/churn/dist/main.js'], {
      cwd: dir,
      env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), MODELS_DIR: join(dir, 'models'), LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    try {
      const url = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 30_000;
      while (!(await fetch(`${url}/v2/health/ready`).then((r) => r.ok, () => false))) {
        if (Date.now() > deadline || app.exitCode !== null) throw new Error('the generated app did not become ready');
        await new Promise((r) => setTimeout(r, 200));
      }
      const ref = JSON.parse(readFileSync(join(WORKSPACE, 'models/iris/1/reference.json'), 'utf8'));
      const rows = ref.records.slice(0, 10).map((r: Record<string, number>) => [r['sepal_length'], r['sepal_width'], r['petal_length'], r['petal_width']]);
      const res = await fetch(`${url}/v1/models/churn:predict`, { method: 'POST', body: JSON.stringify({ instances: rows.map((row: number[]) => ({ features: row })) }) });
      expect(res.status).toBe(200);
      const { predictions } = (await res.json()) as { predictions: { probabilities: number[] }[] };
      predictions.forEach((p, i) => p.probabilities.forEach((v, j) => expect(v).toBeCloseTo(ref.outputs.probabilities[i][j], 5)));
    } finally {
      app.kill('SIGTERM');
    }
  }, 600_000);

  it('refuses to overwrite it, then removes it cleanly', async () => {
    await expect(nx('g', 'model', 'churn')).rejects.toThrow(/already exists/);
    await nx('g', 'remove-model', 'churn');
    expect(existsSync(join(dir, 'apps/churn'))).toBe(false);
    expect(existsSync(join(dir, 'models/churn'))).toBe(false);
    expect(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')).not.toContain('churn');
  }, 300_000);

  it('refuses a bad name with a clear message', async () => {
    const failure = (await nx('g', 'model', 'churn:api').then(() => undefined, (err) => err)) as { stdout: string; stderr: string } | undefined;
    expect(failure).toBeDefined();
    expect(`${failure!.stdout}${failure!.stderr}`).toContain("'churn:api' should match the pattern");
    expect(existsSync(join(dir, 'models/churn:api'))).toBe(false);
  }, 60_000);
});

/** Starts a built app on its own port and waits for readiness; the caller stops it. */
async function serveBuilt(app: string, port: number) {
  const child = spawn(process.execPath, [`apps/${app}/dist/main.js`], {
    cwd: dir,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), MODELS_DIR: join(dir, 'models'), LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (!(await fetch(`${url}/v2/health/ready`).then((r) => r.ok, () => false))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`${app} did not become ready`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, stop: () => child.kill('SIGTERM') };
}

const postJson = async (url: string, body: unknown) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
};

describe('nx g model for the old services\' callers and TF Serving\'s', () => {
  it('--sample and --transformer: the built apps answer the sample as the generator said, and TF Serving names stay in the URL', async () => {
    const irisRef = JSON.parse(readFileSync(join(WORKSPACE, 'models/iris/1/reference.json'), 'utf8'));
    const samples = join(dir, 'samples');
    mkdirSync(samples, { recursive: true });
    writeFileSync(join(samples, 'flowers.json'), JSON.stringify({ data: irisRef.records.slice(40, 70) }));
    writeFileSync(join(samples, 'half.json'), JSON.stringify([{ x: 1.0 }, { x: 5.0 }]));
    const fixtures = join(WORKSPACE, 'libs/runtime/src/testing/fixtures');
    await nx('g', 'model', 'flowers', '--from', join(WORKSPACE, 'models/iris/1/model.onnx'), '--transformer', join(fixtures, 'iris-columns/model.onnx'), '--sample', join(samples, 'flowers.json'));
    await nx('g', 'model', 'half_plus_two', '--from', join(fixtures, 'half_plus_two/1/model.onnx'), '--sample', join(samples, 'half.json'));
    expect(existsSync(join(dir, 'models/flowers/1/transformer.onnx'))).toBe(true);
    expect(existsSync(join(dir, 'apps/half-plus-two/src/main.ts'))).toBe(true);
    await nx('run-many', '-t', 'build', '-p', 'flowers,half-plus-two');

    const base = 20000 + ((process.pid + 7) % 20000);
    const flowers = await serveBuilt('flowers', base);
    const half = await serveBuilt('half-plus-two', base + 1);
    try {
      const flowerSample = JSON.parse(readFileSync(join(dir, 'models/flowers/sample.json'), 'utf8'));
      const answer = await postJson(`${flowers.url}/get_score`, flowerSample.request);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toEqual(flowerSample.response);
      expect(flowerSample.response.data).toEqual(irisRef.outputs.class.slice(40, 70));

      const halfSample = JSON.parse(readFileSync(join(dir, 'models/half_plus_two/sample.json'), 'utf8'));
      const halfAnswer = await postJson(`${half.url}/get_score`, halfSample.request);
      expect(JSON.parse(halfAnswer.text)).toEqual(halfSample.response);
      expect(halfSample.response.data).toEqual([{ y: 2.5 }, { y: 4.5 }]);
      const predict = await postJson(`${half.url}/v1/models/half_plus_two:predict`, '{"instances": [1.0, 2.0, 5.0]}');
      expect(predict).toEqual({ status: 200, text: '{"predictions": [2.5, 3.0, 4.5]}' });
    } finally {
      flowers.stop();
      half.stop();
    }
  }, 600_000);
});
