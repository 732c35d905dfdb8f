import type { ModelConfig } from '../config/schema.js';
import { ModelNotFound } from '../errors.js';
import type { ModelRepository } from '../repository/model-repository.js';
import type { Hooks } from './hooks.js';

/** Where a model in a yard stands in the yard's cache (yard/model-cache.ts). */
export type ResidencyState = 'loaded' | 'loading' | 'unloading' | 'unloaded' | 'failed';

/**
 * A model that is loaded on demand and may be unloaded (a yard's). Absent on an app's own
 * model, which is loaded at start and stays: its requests pay nothing for this.
 */
export interface Residency {
  /**
   * Loads the model if it is not (a bounded wait) and keeps it loaded while `fn` runs.
   * `request` identifies the caller's request, so one request counts once as a hit or miss.
   */
  hold<T>(fn: () => Promise<T>, request?: object): Promise<T>;
  state(): ResidencyState;
  /** Why the last load failed, when state() is "failed". */
  error(): string | undefined;
}

export interface ServedModel {
  name: string;
  config: ModelConfig;
  repository: ModelRepository;
  hooks: Hooks;
  residency?: Residency;
}

/** The models one app serves, by URL name. */
export class ModelSet {
  private readonly byName = new Map<string, ServedModel>();

  constructor(models: readonly ServedModel[]) {
    for (const m of models) this.byName.set(m.name, m);
  }

  find(name: string): ServedModel | undefined {
    return this.byName.get(name);
  }

  /** Throws ModelNotFound, which each protocol words its own way. */
  get(name: string): ServedModel {
    const model = this.byName.get(name);
    if (!model) throw new ModelNotFound(name);
    return model;
  }

  /** The app's own model: the first one, which /get_score serves. */
  primary(): ServedModel {
    return this.byName.values().next().value!;
  }

  all(): ServedModel[] {
    return [...this.byName.values()];
  }

  /** A model a yard loads on demand does not hold readiness back: it loads when asked for. */
  isReady(): boolean {
    return this.all().every((m) => m.residency !== undefined || m.repository.isReady());
  }
}
