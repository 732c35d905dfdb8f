import { Router } from 'express';
import { invalidArgument } from '../../errors.js';
import type { ModelSet } from '../../inference/served-model.js';
import type { Metrics } from '../../dataplane/metrics.js';
import { PAGE_CSS, PAGE_HTML } from './page.js';
import { PAGE_SCRIPT } from './page-script.js';
import { statusJson } from './status-json.js';
import type { TrafficRecording } from './traffic-history.js';

export interface StatusOptions {
  models: ModelSet;
  metrics: Metrics;
  isReady: () => boolean;
  /** The history sampled since the app started (recordTraffic); its interval is also the page's polling period. */
  traffic: TrafficRecording;
}

/** GET / (the status page) and GET /status.json (what it draws). */
export function statusRoutes(options: StatusOptions): Router {
  const { models, metrics, isReady } = options;
  const { history, startedAt, intervalMs } = options.traffic;
  const router = Router();
  router.get('/', (_req, res) => void res.type('html').send(PAGE_HTML));
  router.get('/status-page.js', (_req, res) => void res.type('js').send(PAGE_SCRIPT));
  router.get('/status-page.css', (_req, res) => void res.type('css').send(PAGE_CSS));
  router.get('/status.json', async (req, res) => {
    const raw = req.query['since'];
    const since = raw === undefined ? 0 : Number(raw);
    if (typeof raw !== 'undefined' && (typeof raw !== 'string' || !Number.isFinite(since) || since < 0)) {
      throw invalidArgument('query parameter "since" must be a time in milliseconds since the epoch');
    }
    res.json(await statusJson({ models, metrics, isReady, history, startedAt, intervalMs, since }));
  });
  return router;
}
