import { Router } from 'express';
import type { ResidencyState } from '../../inference/served-model.js';
import type { ProtocolContext } from '../shared/context.js';

/** Triton's model states (its model repository extension) for a yard's cache states. */
const TRITON_STATE: Record<ResidencyState, string> = {
  loaded: 'READY',
  loading: 'LOADING',
  unloading: 'UNLOADING',
  unloaded: 'UNAVAILABLE',
  failed: 'UNAVAILABLE',
};

/**
 * POST /v2/repository/index, as Triton's model repository extension answers it: every model
 * this server serves, with its state. In a yard the state is the cache's (a model may be
 * unloaded until its next request); `modelyard_state` names it in the yard's own words
 * (loaded, loading, unloading, unloaded, failed). An app's own model is READY or UNAVAILABLE.
 */
export function repositoryIndexRoutes(ctx: ProtocolContext): Router {
  const router = Router();
  const dp = ctx.dataPlane;
  router.post('/v2/repository/index', (_req, res) => {
    res.json(
      dp.models.all().map((m) => {
        const state: ResidencyState = m.residency ? m.residency.state() : m.repository.isReady() ? 'loaded' : 'failed';
        const reason = state === 'failed' ? (m.residency?.error() ?? m.repository.status().find((v) => v.error)?.error ?? 'no version is available') : state === 'unloaded' ? 'unloaded; it loads on its next request' : '';
        const version = state === 'loaded' ? m.repository.latestVersion() : undefined;
        return { name: m.name, ...(version !== undefined && { version: String(version) }), state: TRITON_STATE[state], reason, modelyard_state: state };
      }),
    );
  });
  return router;
}
