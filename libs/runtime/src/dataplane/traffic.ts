import { createHash } from 'node:crypto';
import type { TrafficConfig } from '../config/schema.js';
import type { ServedModel } from '../inference/served-model.js';
import type { VersionSelector } from '../repository/model-repository.js';
import type { Servable } from '../repository/servable.js';
import type { RequestScope } from './request-scope.js';

/**
 * The canary split: model.json's `"traffic": {"canary": 10}` sends 10 % of *unpinned*
 * requests (no version, no label in the URL) to the canary (`canaryTo`, default the label
 * "canary"); the rest go to the base: the `stable` label, or else the newest other version
 * (so with a traffic block, `canary: 0` keeps the canary out of unpinned traffic). A
 * request that names a version or label always gets exactly that. The config is read per
 * request, so an edit takes effect on model.json's next poll (inference/reload-config.ts).
 *
 * Only AVAILABLE versions are candidates: a canary that failed its self-check (END) or is
 * not loaded yet gets no traffic at all, and everything goes to the base.
 */

/** A caller with the sticky header always lands on the same side: a hash, not a draw. */
function stickyPoint(model: string, key: string): number {
  const digest = createHash('sha1').update(model).update('\u0000').update(key).digest();
  return (digest.readUInt32BE(0) / 2 ** 32) * 100;
}

function pointOf(scope: RequestScope, model: string, header: string): number {
  if (scope.trafficPoint !== undefined) return scope.trafficPoint;
  const value = scope.headers?.[header.toLowerCase()];
  const key = Array.isArray(value) ? value[0] : value;
  scope.trafficPoint = key ? stickyPoint(model, key) : Math.random() * 100;
  return scope.trafficPoint;
}

export const selectorOf = (to: number | string): VersionSelector => (typeof to === 'number' ? { version: to } : { label: to });

/** The servable `to` names if it is AVAILABLE now, else undefined (never throws). */
export function availableServable(model: ServedModel, to: number | string): Servable | undefined {
  const selector = selectorOf(to);
  const version = selector.version ?? model.config.labels[selector.label!];
  if (version === undefined || !model.repository.availableVersions().includes(version)) return undefined;
  return model.repository.resolve({ version });
}

/** The version unpinned traffic goes to when it does not go to the canary. */
function baseServable(model: ServedModel, canary: Servable | undefined): Servable | undefined {
  const stable = model.config.labels['stable'];
  if (stable !== undefined && stable !== canary?.version) {
    const servable = availableServable(model, stable);
    if (servable) return servable;
  }
  const other = model.repository.availableVersions().find((v) => v !== canary?.version);
  return other === undefined ? undefined : model.repository.resolve({ version: other });
}

/** Which version serves this request, with the canary split applied to unpinned ones. */
export function routeRequest(model: ServedModel, selector: VersionSelector, scope: RequestScope | undefined): Servable {
  const traffic: TrafficConfig | undefined = model.config.traffic;
  const pinned = selector.version !== undefined || selector.label !== undefined;
  if (pinned || !scope || !traffic) return model.repository.resolve(selector);
  // A canary that is not AVAILABLE (loading, or refused by its self-check) takes nothing.
  const canary = availableServable(model, traffic.canaryTo);
  const base = baseServable(model, canary);
  if (!base) return canary ?? model.repository.resolve(selector);
  if (!canary) return base;
  // canary: 0 (or a traffic block with only a shadow) sends every unpinned request to the base.
  return traffic.canary > 0 && pointOf(scope, model.name, traffic.stickyHeader) < traffic.canary ? canary : base;
}
