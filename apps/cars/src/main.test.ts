/** Smoke test: the real app process loads its model, predicts on an example, stops on SIGTERM. */
import { exampleInferRequest, startAppProcess, type AppProcess, type V2Metadata } from '@modelyard/runtime/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

let app: AppProcess;
beforeAll(async () => {
  app = await startAppProcess('cars');
});
afterAll(async () => {
  if (app.child.exitCode === null) await app.stop();
});

it('predicts on an example built from its own signature', async () => {
  const metadata = (await (await fetch(`${app.url}/v2/models/cars`)).json()) as V2Metadata;
  const res = await fetch(`${app.url}/v2/models/cars/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(exampleInferRequest(metadata)),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { outputs: { name: string; data: unknown[] }[] };
  expect(body.outputs.map((o) => o.name)).toEqual(metadata.outputs.map((o) => o.name));
  for (const output of body.outputs) expect(output.data.length).toBeGreaterThan(0);
});

it('exits 0 on SIGTERM', async () => {
  expect(await app.stop()).toBe(0);
});
