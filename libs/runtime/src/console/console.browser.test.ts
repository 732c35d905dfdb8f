/**
 * The console in a real browser: Debian's chromium, driven by playwright-core. Runs under
 * `npm run test:browser` (not `npm test`); needs `apt-get install -y chromium`.
 * UPDATE_SCREENSHOTS=1 writes the status page's screenshot to docs/images/ for the README.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExampleApp, startYardApp, type ExampleApp } from '../testing/example-apps.js';
import { loadReference, maxAbsDiff, sleep, WORKSPACE_MODELS, type Reference } from '../testing/fixtures.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

let app: ExampleApp;
let browser: Browser;
let ref: Reference;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no chromium at ${CHROMIUM}: install it with "apt-get update && apt-get install -y chromium" (or set CHROMIUM_PATH)`);
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  app = await startExampleApp('penguins');
  ref = await loadReference('penguins', 2);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** A page that records every console error and uncaught exception. */
async function openPage(path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('requestfailed', (req) => errors.push(`request failed: ${req.url()}`));
  await page.goto(app.url + path);
  return { page, errors };
}

describe('/docs (Swagger UI)', () => {
  it('"Try it out" on /get_score with the example returns the reference prediction', async () => {
    const { page, errors } = await openPage('/docs');
    const op = page.locator('.opblock-post').filter({ has: page.locator('.opblock-summary-path[data-path="/get_score"]') });
    await op.locator('.opblock-summary').click();
    await op.getByRole('button', { name: 'Try it out' }).click();
    // the body editor holds the example from the model's reference data
    const body = JSON.parse(await op.locator('textarea.body-param__text').inputValue()) as { data: unknown[] };
    expect(body.data[0]).toEqual(ref.records[0]);
    await op.getByRole('button', { name: 'Execute' }).click();
    const status = op.locator('.live-responses-table .response .response-col_status').first();
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/^\s*200/);
    const text = await op.locator('.live-responses-table .response-col_description pre.microlight').first().textContent();
    const answer = JSON.parse(text!) as { msg: string; data: { label: string; probabilities: Record<string, number> }[] };
    expect(answer.msg).toBe('Successful!');
    expect(answer.data[0]!.label).toBe(ref.outputs['label']![0]);
    expect(maxAbsDiff(Object.values(answer.data[0]!.probabilities), ref.outputs['probabilities']![0])).toBeLessThan(1e-4);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('/ (status page)', () => {
  it('shows the versions, and its request counter and latency plot move with traffic', async () => {
    const { page, errors } = await openPage('/');
    const card = page.locator('section.model[data-model="penguins"]');
    await expect.poll(() => card.locator('table.versions tbody tr').count(), { timeout: 15_000 }).toBe(2);
    expect(await card.locator('table.versions tbody').textContent()).toMatch(/2AVAILABLEcanary.*1AVAILABLEstable/s);
    const counter = page.locator('#total-requests');
    const before = Number(await counter.textContent());
    const latency = card.locator('canvas.latency-chart');
    const plotBefore = await latency.evaluate((c) => (c as unknown as { toDataURL(): string }).toDataURL());

    // ~6 s of traffic to both versions over three protocols, so the plots have several points
    const post = (path: string, body: unknown) =>
      fetch(app.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const instance = { island: ['Biscoe'], bill_length_mm: [45], bill_depth_mm: [15], flipper_length_mm: [215], body_mass_g: [5000], sex: ['FEMALE'] };
    let sent = 0;
    const until = Date.now() + 6_000;
    while (Date.now() < until) {
      const replies = await Promise.all([
        post('/get_score', { data: ref.records.slice(sent % 300, (sent % 300) + 4) }),
        post('/v1/models/penguins/labels/stable:predict', { instances: [instance] }),
        post('/v2/models/penguins/versions/1/infer', {
          inputs: Object.entries(instance).map(([name, v]) => ({ name, shape: [1, 1], datatype: typeof v[0] === 'string' ? 'BYTES' : 'FP32', data: v })),
        }),
      ]);
      for (const r of replies) expect(r.status).toBe(200);
      sent += replies.length;
      await sleep(50);
    }
    await expect.poll(async () => Number(await counter.textContent()), { timeout: 20_000 }).toBeGreaterThanOrEqual(before + sent);
    await expect.poll(async () => Number(await latency.getAttribute('data-points')), { timeout: 20_000 }).toBeGreaterThan(3);
    expect(await latency.evaluate((c) => (c as unknown as { toDataURL(): string }).toDataURL())).not.toBe(plotBefore);
    expect(await card.locator('.legend').textContent()).toMatch(/v1 tfserving.*v1 v2.*v2 legacy/s);
    expect(await card.locator('.rps').textContent()).toMatch(/[1-9][\d.]* req\/s/);

    // search narrows the list
    await page.fill('#search', 'no-such-model');
    await expect.poll(() => card.isHidden()).toBe(true);
    await page.fill('#search', 'peng');
    await expect.poll(() => card.isVisible()).toBe(true);

    // the screenshot for the README: the page, not the empty viewport below it
    await page.setViewportSize({ width: 1280, height: 420 });
    const dir = process.env['UPDATE_SCREENSHOTS'] ? join(WORKSPACE_MODELS, '..', 'docs', 'images') : tmpdir();
    await mkdir(dir, { recursive: true });
    await page.screenshot({ path: join(dir, 'status-page.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('/ with a yard of 100 models', () => {
  let yard: ExampleApp & { names: string[] };
  beforeAll(async () => {
    yard = await startYardApp(100);
  }, 180_000);
  afterAll(() => yard?.close());

  it('lists them all, finds one by search, and puts the busy one first when sorted by traffic', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${yard.url}/`);
    await expect.poll(() => page.locator('#shown').textContent(), { timeout: 15_000 }).toBe('100 of 100 models');
    // a yard does not open every card: plots are drawn only for the cards someone opens
    expect(await page.locator('section.model.open').count()).toBe(0);

    const busy = 'yard-073';
    const record = { sepal_length: 6.3, sepal_width: 3.3, petal_length: 6, petal_width: 2.5 };
    for (let i = 0; i < 30; i++) {
      const res = await fetch(`${yard.url}/v2/models/${busy}/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: Object.values(record) }] }),
      });
      expect(res.status).toBe(200);
    }
    await expect.poll(() => page.locator('section.model').first().getAttribute('data-model'), { timeout: 20_000 }).toBe(busy);

    await page.fill('#search', '-042');
    await expect.poll(() => page.locator('#shown').textContent()).toBe('1 of 100 models');
    expect(await page.locator('section.model:not([hidden])').getAttribute('data-model')).toBe('yard-042');

    // status.json stays small enough to poll every 2 s
    const body = await (await fetch(`${yard.url}/status.json`)).text();
    expect(body.length).toBeLessThan(300_000);
    expect(errors).toEqual([]);
    await page.close();
  });
});
