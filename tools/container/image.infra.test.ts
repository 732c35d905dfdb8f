/**
 * The shared ONNX recipe really builds penguins' image and runs it: with the local engine
 * (Docker where there is a daemon; podman/buildah here), then a prediction from the running
 * container checked against scikit-learn's reference. Built from its own scratch copy of the
 * workspace (its own dist folders), so no other test's build can change what goes in.
 */
import { loadReference, maxAbsDiff } from '@modelyard/runtime/testing';
import { freePort } from '@modelyard/runtime/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { scratchWorkspace, WORKSPACE } from '../scale/scratch-workspace.js';
import { buildScratchImage, cleanUpImageTest } from './image-tests.js';
import { detectEngine, inspectImage, runContainer, waitForContainer, type Engine } from './engine.js';

const NAME = `modelyard-test-penguins-${process.pid}`;
process.env['IMAGE_TAG'] = `test-${process.pid}`;
let engine: Engine;
let image: string;

let scratch: string;

beforeAll(async () => {
  engine = await detectEngine();
  scratch = scratchWorkspace('modelyard-image-');
  for (const path of ['apps/penguins', 'models/penguins']) cpSync(join(WORKSPACE, path), join(scratch, path), { recursive: true, filter: (src) => !src.includes('/dist') });
  image = await buildScratchImage(scratch, 'penguins', engine);
}, 600_000);

afterAll(() => cleanUpImageTest({ scratch, container: NAME, image, engine }));

describe('penguins image', () => {
  it('runs as a non-root user with a health check and the model baked in at /models', async () => {
    const info = await inspectImage(image!, engine);
    const config = info['Config'] as { User: string; Healthcheck?: { Test: string[] }; Env: string[] };
    const healthcheck = config.Healthcheck ?? (info['Healthcheck'] as { Test: string[] } | undefined);
    expect(config.User).toBe('node');
    expect(healthcheck?.Test.join(' ')).toContain('/v2/health/live');
    expect(config.Env).toContain('MODELS_DIR=/models');
    // Only linux/x64 onnxruntime binaries: the image stays far below the ~290 MB they take.
    expect(info['Size'] as number).toBeLessThan(400 * 1024 * 1024);
  });

  it('serves predictions equal to the training-time reference', async () => {
    const port = await freePort();
    await runContainer({ image: image!, name: NAME, env: { PORT: String(port), HOST: '127.0.0.1' }, engine });
    const url = `http://127.0.0.1:${port}`;
    await waitForContainer(url, NAME, engine, 60_000);
    const ref = await loadReference('penguins', 2);
    const res = await fetch(`${url}/get_score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: ref.records }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { label: string; probabilities: Record<string, number> }[] };
    expect(body.data.map((d) => d.label)).toEqual(ref.outputs['label']);
    expect(maxAbsDiff(body.data.map((d) => Object.values(d.probabilities)), ref.outputs['probabilities'])).toBeLessThan(1e-5);
  });
});
