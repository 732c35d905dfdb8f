/** The yard's environment: bounds as non-negative integers, MODELS and PRELOAD as names or globs. */
import { describe, expect, it } from 'vitest';
import { EnvError } from '../config/env.js';
import { makeYardModels } from '../testing/yard-models.js';
import { globMatcher, readYardEnv, yardModelNames } from './yard-env.js';

describe('readYardEnv', () => {
  it('defaults: no bound, nothing preloaded, a 10 s wait, Retry-After 1, one load at a time', () => {
    expect(readYardEnv({})).toEqual({ preload: [], maxLoaded: 0, memoryBudgetMb: 0, loadTimeoutMs: 10_000, retryAfterSeconds: 1, loadsAtOnce: 1 });
  });

  it('reads every variable', () => {
    const env = readYardEnv({ MODELS: 'a, risk_*', PRELOAD: '*', MAX_LOADED_MODELS: '20', MODEL_MEMORY_BUDGET_MB: '1536', MODEL_LOAD_TIMEOUT_MS: '2500', MODEL_RETRY_AFTER_SECONDS: '3', MODEL_LOADS_AT_ONCE: '2' });
    expect(env).toEqual({ models: ['a', 'risk_*'], preload: ['*'], maxLoaded: 20, memoryBudgetMb: 1536, loadTimeoutMs: 2500, retryAfterSeconds: 3, loadsAtOnce: 2 });
  });

  it('refuses a bound that is not a non-negative integer, naming the variable', () => {
    expect(() => readYardEnv({ MAX_LOADED_MODELS: 'twenty' })).toThrow(new EnvError('environment variable MAX_LOADED_MODELS="twenty" must be a non-negative integer'));
    expect(() => readYardEnv({ MODEL_MEMORY_BUDGET_MB: '-1' })).toThrow(/MODEL_MEMORY_BUDGET_MB="-1"/);
    expect(() => readYardEnv({ MODEL_LOAD_TIMEOUT_MS: '1.5' })).toThrow(/MODEL_LOAD_TIMEOUT_MS="1.5"/);
  });
});

describe('model names', () => {
  it('globs: * and ? only, everything else literal', () => {
    expect(globMatcher('risk_*')('risk_churn')).toBe(true);
    expect(globMatcher('risk_*')('fraud')).toBe(false);
    expect(globMatcher('m?')('m1')).toBe(true);
    expect(globMatcher('a.b')('axb')).toBe(false);
  });

  it('every model folder by default, or those MODELS picks; a missing name or an empty match is refused', async () => {
    const dir = await makeYardModels([
      { name: 'risk_a', from: 'iris' },
      { name: 'risk_b', from: 'iris' },
      { name: 'fraud', from: 'iris' },
    ]);
    expect(await yardModelNames(dir, undefined)).toEqual(['fraud', 'risk_a', 'risk_b']);
    expect(await yardModelNames(dir, ['risk_*'])).toEqual(['risk_a', 'risk_b']);
    await expect(yardModelNames(dir, ['churn'])).rejects.toThrow(/MODELS names "churn", but .*churn\/model.json does not exist/);
    await expect(yardModelNames(dir, ['x*'])).rejects.toThrow(/MODELS="x\*" matches no model folder/);
    await expect(yardModelNames(`${dir}/nope`, undefined)).rejects.toThrow(/MODELS_DIR=".*nope" cannot be read/);
  });
});
