/**
 * The nested-body attack (issue 8, finding 4): `[` × 4.9M + `]` × 4.9M, just under the
 * 10 MB body limit, once cost ~1 GB of RSS and a 2 s stall. Now it is a 400 on every API
 * before anything large is built. Memory is measured on a real app process: its peak RSS
 * (VmHWM, reset before each attack) may grow by no more than 4× the body's size.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppProcess, type AppProcess } from '../testing/app-process.js';

const DEPTH = 4_900_000;
const plain = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;
const aroundNaN = `${'['.repeat(DEPTH)}NaN${']'.repeat(DEPTH)}`;
const record = { Island: 'Biscoe', 'Beak Length (mm)': 45.1, 'Beak Depth (mm)': 14.5, 'Flipper Length (mm)': 215, 'Body Mass (g)': 5000, Sex: 'FEMALE' };

let app: AppProcess;
beforeAll(async () => {
  app = await startAppProcess('penguins');
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

async function kib(field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${app.child.pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]);
}

const post = (path: string, body: string) => fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('a deeply nested body', () => {
  it.each([
    ['TF Serving predict', '/v1/models/penguins:predict', plain],
    ['TF Serving predict, around NaN', '/v1/models/penguins:predict', aroundNaN],
    ['v2 infer', '/v2/models/penguins/infer', plain],
    ['legacy get_score', '/get_score', aroundNaN],
  ])('%s: 400 before anything large is allocated', async (_name, path, body) => {
    // Settle, then reset the peak so it measures this request alone.
    for (let i = 0; i < 3; i++) expect((await post('/get_score', JSON.stringify({ data: [record] }))).status).toBe(200);
    const before = await kib('VmRSS');
    await writeFile(`/proc/${app.child.pid}/clear_refs`, '5');

    const started = Date.now();
    const res = await post(path, body);
    const elapsed = Date.now() - started;
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/deeper than \d+ levels/);

    const peakGrowth = (await kib('VmHWM')) - before;
    expect(peakGrowth * 1024).toBeLessThan(4 * body.length);
    expect(elapsed).toBeLessThan(5_000);
    // Still serving.
    expect((await post('/get_score', JSON.stringify({ data: [record] }))).status).toBe(200);
  }, 60_000);
});
