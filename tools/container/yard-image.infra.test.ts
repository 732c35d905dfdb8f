/**
 * The shared yard recipe really builds a yard's image and runs it: two models generated into
 * a yard in a scratch copy of the workspace (`nx g model <m> --placement yard`), the yard
 * built, its image built with the local engine (Docker, or podman/buildah here), and both
 * models answering their references from the running container.
 */
import { join } from 'node:path';
import { loadReference, maxAbsDiff, freePort } from '@modelyard/runtime/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nxIn, scratchWorkspace, WORKSPACE } from '../scale/scratch-workspace.js';
import { buildScratchImage, cleanUpImageTest } from './image-tests.js';
import { detectEngine, inspectImage, runContainer, waitForContainer, type Engine } from './engine.js';

const NAME = `modelyard-test-yard-${process.pid}`;
process.env['IMAGE_TAG'] = `test-${process.pid}`;
let engine: Engine;
let image: string;
let scratch: string;

beforeAll(async () => {
  engine = await detectEngine();
  scratch = scratchWorkspace('modelyard-yard-image-', ['docker-compose.yml']);
  await nxIn(scratch, 'g', 'model', 'churn', '--from', join(WORKSPACE, 'models/iris/1/model.onnx'), '--placement', 'yard');
  await nxIn(scratch, 'g', 'model', 'risk', '--from', join(WORKSPACE, 'models/penguins/2/model.onnx'), '--placement', 'yard');
  image = await buildScratchImage(scratch, 'yard', engine);
}, 900_000);

afterAll(() => cleanUpImageTest({ scratch, container: NAME, image, engine }));

describe('yard image', () => {
  it('runs as node with a health check, holds exactly the listed models, and serves each its reference', async () => {
    const info = await inspectImage(image, engine);
    const config = info['Config'] as { User: string; Env: string[]; Healthcheck?: { Test: string[] } };
    const healthcheck = config.Healthcheck ?? (info['Healthcheck'] as { Test: string[] } | undefined);
    expect(config.User).toBe('node');
    expect(healthcheck?.Test.join(' ')).toContain('/v2/health/live');
    expect(config.Env).toContain('MODELS_DIR=/models');

    const port = await freePort();
    await runContainer({ image, name: NAME, env: { PORT: String(port), HOST: '127.0.0.1', MAX_LOADED_MODELS: '1' }, engine });
    const url = `http://127.0.0.1:${port}`;
    await waitForContainer(url, NAME, engine, 90_000);
    const index = (await (await fetch(`${url}/v2/repository/index`, { method: 'POST' })).json()) as { name: string }[];
    expect(index.map((m) => m.name)).toEqual(['churn', 'risk']);
    // The generator names inputs after the ONNX model's; records with no missing value.
    const penguins = await loadReference('penguins', 2);
    const complete = penguins.records.map((r, i) => ({ r, label: penguins.outputs['label']![i] })).filter(({ r }) => Object.values(r).every((v) => v !== null));
    const data = complete.map(({ r }) => ({ island: r['Island'], bill_length_mm: r['Beak Length (mm)'], bill_depth_mm: r['Beak Depth (mm)'], flipper_length_mm: r['Flipper Length (mm)'], body_mass_g: r['Body Mass (g)'], sex: r['Sex'] }));
    const res = await fetch(`${url}/models/risk/get_score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { label: string }[] }).data.map((d) => d.label)).toEqual(complete.map((c) => c.label));
    const iris = await loadReference('iris', 1);
    const rows = iris.records.map((r) => ({ features: [r['sepal_length'], r['sepal_width'], r['petal_length'], r['petal_width']] }));
    const predict = await fetch(`${url}/v1/models/churn:predict`, { method: 'POST', body: JSON.stringify({ instances: rows }) });
    expect(predict.status).toBe(200);
    const { predictions } = (await predict.json()) as { predictions: { probabilities: number[] }[] };
    expect(maxAbsDiff(predictions.map((p) => p.probabilities), iris.outputs['probabilities'])).toBeLessThan(1e-5);
  }, 180_000);
});
