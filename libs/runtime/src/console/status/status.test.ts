import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../server/metrics.js';
import { startExampleApp, type ExampleApp } from '../../testing/example-apps.js';
import { loadReference, sleep } from '../../testing/fixtures.js';
import type { StatusJson } from './status-json.js';
import { quantileMs, TrafficHistory } from './traffic-history.js';

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const status = async (app: ExampleApp, query = '') => (await (await fetch(`${app.url}/status.json${query}`)).json()) as StatusJson;

describe('quantileMs', () => {
  it('interpolates inside the bucket the rank falls in, as histogram_quantile does', () => {
    // 10 requests ≤ 1 ms, 10 more in (1, 5] ms
    expect(quantileMs([0.001, 0.005], [10, 20], 20, 0.5)).toBeCloseTo(1);
    expect(quantileMs([0.001, 0.005], [10, 20], 20, 0.75)).toBeCloseTo(3);
    expect(quantileMs([0.001, 0.005], [0, 0], 0, 0.5)).toBeNull();
  });
});

describe('TrafficHistory', () => {
  it('turns the request histogram into rates, error rates and percentiles per model, version and protocol', async () => {
    const metrics = new Metrics();
    const history = new TrafficHistory(metrics, 3);
    await history.sample(1_000);
    const labels = { model: 'm', version: '1', protocol: 'v2' };
    for (let i = 0; i < 8; i++) metrics.requestSeconds.observe({ ...labels, status: '200' }, 0.002);
    metrics.requestSeconds.observe({ ...labels, status: '500' }, 0.002);
    metrics.requestSeconds.observe({ ...labels, status: '400' }, 0.0002);
    await history.sample(3_000);
    const [series] = history.seriesOf('m');
    expect(series).toMatchObject({ model: 'm', version: '1', protocol: 'v2' });
    const [t, rps, err5, err4, p50] = series!.points[0]!;
    expect([t, rps, err5, err4]).toEqual([3_000, 5, 0.5, 0.5]);
    expect(p50).toBeGreaterThan(1);
    expect(p50).toBeLessThanOrEqual(2.5);
    expect(history.trafficOf('m')).toMatchObject({ requests: 10, errors: 1, recent: { seconds: 2, rps: 5, errorRate: 0.1 } });
    // the ring keeps `keep` points; `since` returns only newer ones
    for (const at of [5_000, 7_000, 9_000]) await history.sample(at);
    expect(history.seriesOf('m')[0]!.points.map((p) => p[0])).toEqual([5_000, 7_000, 9_000]);
    expect(history.seriesOf('m', 7_000)[0]!.points.map((p) => p[0])).toEqual([9_000]);
  });
});

describe('GET /status.json and the status page of the penguins app', () => {
  let app: ExampleApp;
  beforeAll(async () => {
    app = await startExampleApp('penguins');
  }, 120_000);
  afterAll(() => app?.close());

  it('reports versions with state, labels, load time and worker pool occupancy', async () => {
    const s = await status(app);
    expect(s.ready).toBe(true);
    const [model] = s.models;
    expect(model).toMatchObject({ name: 'penguins', backend: 'onnx', primary: true, labels: { stable: 1, canary: 2 } });
    expect(model!.versions.map((v) => [v.version, v.state, v.labels])).toEqual([
      [2, 'AVAILABLE', ['canary']],
      [1, 'AVAILABLE', ['stable']],
    ]);
    for (const v of model!.versions) {
      expect(v.loadSeconds).toBeGreaterThan(0);
      expect(v.loadedAt).toBeLessThanOrEqual(s.time);
      expect(v.details?.workers?.size).toBeGreaterThan(0);
    }
  });

  it('shows traffic by version and protocol, errors, percentiles and batch sizes once requests come in', async () => {
    const ref = await loadReference('penguins', 2);
    const before = await status(app);
    for (let i = 0; i < 20; i++) expect((await post(`${app.url}/get_score`, { data: ref.records.slice(0, 3) })).status).toBe(200);
    expect((await post(`${app.url}/v1/models/penguins/labels/stable:predict`, { instances: [{ island: ['Dream'], bill_length_mm: [40], bill_depth_mm: [18], flipper_length_mm: [190], body_mass_g: [3500], sex: ['MALE'] }] })).status).toBe(200);
    expect((await post(`${app.url}/get_score`, { data: [{ Island: 'Dream' }] })).status).toBe(400);
    // two sampling intervals (2 s each), with margin for a loaded machine
    let s = before;
    for (let i = 0; i < 20 && !(s.models[0]!.traffic.requests >= 22 && s.models[0]!.series.length >= 2); i++) {
      await sleep(1000);
      s = await status(app);
    }
    const model = s.models[0]!;
    expect(model.traffic.requests).toBe(22);
    const byKey = Object.fromEntries(model.series.map((x) => [`${x.version}/${x.protocol}`, x]));
    expect(Object.keys(byKey)).toEqual(expect.arrayContaining(['2/legacy', '1/tfserving']));
    const legacy = byKey['2/legacy']!.points;
    expect(legacy.some((p) => p[1] > 0)).toBe(true);
    expect(legacy.some((p) => p[3] > 0)).toBe(true); // the 400 counts as a 4xx, not a 5xx
    expect(legacy.every((p) => p[2] === 0)).toBe(true);
    expect(legacy.some((p) => p[4] !== null && p[4] > 0 && p[6]! >= p[4])).toBe(true);
    const batches = model.batches.find((b) => b.version === '2')!;
    expect(batches.counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(20);
    // since: only the points after the given time
    const later = await status(app, `?since=${s.time}`);
    expect(later.models[0]!.series.every((x) => x.points.every((p) => p[0] > s.time))).toBe(true);
  }, 60_000);

  it('refuses a bad "since" with a 400 that names it', async () => {
    const res = await fetch(`${app.url}/status.json?since=yesterday`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'query parameter "since" must be a time in milliseconds since the epoch' });
  });

  it('serves the page, its script and style from the app, with nothing from elsewhere', async () => {
    const page = await fetch(`${app.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('<script src="status-page.js"></script>');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    const script = await fetch(`${app.url}/status-page.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(await script.text()).toContain("fetch('status.json?since='");
    expect((await fetch(`${app.url}/status-page.css`)).headers.get('content-type')).toMatch(/text\/css/);
  });

  it('serves Swagger UI at /docs from the swagger-ui-dist package, on openapi.json', async () => {
    const page = await fetch(`${app.url}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const asset of ['docs/swagger-ui.css', 'docs/swagger-ui-bundle.js', 'docs/init.js']) {
      expect(html).toContain(asset);
      const res = await fetch(`${app.url}/${asset}`);
      expect(res.status, asset).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(asset.endsWith('init.js') ? 50 : 10_000);
    }
    expect(await (await fetch(`${app.url}/docs/init.js`)).text()).toContain("url: 'openapi.json'");
    // the package's demo page (petstore) is not served
    expect((await fetch(`${app.url}/docs/index.html`)).status).toBe(404);
  });

  it('keeps the pages out of the models\' traffic metrics', async () => {
    const before = (await status(app)).models[0]!.traffic.requests;
    await fetch(`${app.url}/openapi.json`);
    await fetch(`${app.url}/`);
    await sleep(2500);
    expect((await status(app)).models[0]!.traffic.requests).toBe(before);
  });
});

describe('GET /status.json of the tfserving-backed digits app', () => {
  let app: ExampleApp;
  beforeAll(async () => {
    app = await startExampleApp('digits');
  }, 120_000);
  afterAll(() => app?.close());

  it("shows the graph service's state and circuit breaker", async () => {
    const [model] = (await status(app)).models;
    expect(model!.backend).toBe('tfserving');
    expect(model!.versions[0]!.details?.graphService).toMatchObject({ available: true, breaker: 'closed' });
    expect(model!.versions[0]!.details?.graphService?.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
