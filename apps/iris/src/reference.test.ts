/** The real app process answers like scikit-learn did at training time, for every reference record. */
import { loadReference, maxAbsDiff, startAppProcess, type AppProcess } from '@modelyard/runtime/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

let app: AppProcess;
beforeAll(async () => {
  app = await startAppProcess('iris');
});
afterAll(async () => {
  await app.stop();
});

it('answers /get_score like the training-time reference of its latest version', async () => {
  const ref = await loadReference('iris', 1);
  const res = await fetch(`${app.url}/get_score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: ref.records }) });
  expect(res.status).toBe(200);
  // iris's config names getScore.output = probabilities: one {class: p} object per record.
  const body = (await res.json()) as { data: Record<string, number>[] };
  expect(maxAbsDiff(body.data.map((d) => Object.values(d)), ref.outputs['probabilities'])).toBeLessThan(1e-5);
});

