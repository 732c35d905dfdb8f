import type { ModelConfig } from '../config/schema.js';
import { ModelNotFound } from '../errors.js';
import type { ModelRepository } from '../repository/model-repository.js';
import type { Hooks } from './hooks.js';

export interface ServedModel {
  name: string;
  config: ModelConfig;
  repository: ModelRepository;
  hooks: Hooks;
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

  isReady(): boolean {
    return this.all().every((m) => m.repository.isReady());
  }
}
