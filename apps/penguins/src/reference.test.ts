/** The real app process answers like scikit-learn did at training time, for every reference record. */
import { loadReference, maxAbsDiff, startAppProcess, type AppProcess } from '@modelyard/runtime/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

let app: AppProcess;
beforeAll(async () => {
  app = await startAppProcess('penguins');
});
afterAll(async () => {
  await app.stop();
});

it('answers /get_score like the training-time reference of its latest version', async () => {
  const ref = await loadReference('penguins', 2);
  const res = await fetch(`${app.url}/get_score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: ref.records }) });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { data: { label: string; probabilities: Record<string, number> }[] };
  expect(body.data.map((d) => d.label)).toEqual(ref.outputs['label']);
  expect(maxAbsDiff(body.data.map((d) => Object.values(d.probabilities)), ref.outputs['probabilities'])).toBeLessThan(1e-5);
});

