import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import type { ServedModel } from './served-model.js';
import { checkConfigAgainstSignature } from '../repository/check-signature.js';
import { CONFIG_FILE, parseModelConfig } from '../config/load-config.js';
import { modelConfigSchema } from '../backends/registry.js';
import type { ModelConfig } from '../config/schema.js';

/**
 * model.json edited while the app runs. What a request reads — the field mapping, outputs,
 * getScore, labels, description — is swapped in live, once the new file is valid and fits
 * every loaded version; what shapes loading and admission (backend, artifact, transformer,
 * version policy, batching, admission, onnx, tfserving, pollSeconds: everything not in LIVE)
 * needs a restart. An edit that cannot be applied is logged once and the running config
 * stays whole: never half of each.
 */
// traffic (canary split, shadow), selfCheck (read at the next load) and gate (read by the pipeline) are live too.
const LIVE = new Set<keyof ModelConfig>(['description', 'inputs', 'outputs', 'getScore', 'labels', 'traffic', 'selfCheck', 'gate']);

export type ReloadResult = 'unchanged' | 'applied' | 'invalid' | 'needs-restart' | 'does-not-fit';

export interface ConfigWatcher {
  /** One look at the file (the poll calls this; tests may too). */
  check(): Promise<ReloadResult>;
  stop(): void;
}

export interface WatchOptions {
  /** Poll on the model's own pollSeconds (the app); false leaves every look to check() (tests). */
  poll?: boolean;
}

export function watchModelConfig(model: ServedModel, modelDir: string, logger: Logger, options: WatchOptions = {}): ConfigWatcher {
  const file = join(modelDir, CONFIG_FILE);
  const log = logger.child({ model: model.name, file });
  let lastText: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function check(): Promise<ReloadResult> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if (lastText !== '') log.error({ error: (err as Error).message }, 'cannot read model.json; the running config stays');
      lastText = '';
      return 'invalid';
    }
    if (lastText === undefined) {
      lastText = text; // the text the running config came from (read again at start)
      return 'unchanged';
    }
    if (text === lastText) return 'unchanged';
    lastText = text;
    let next: ModelConfig;
    try {
      next = parseModelConfig(file, text, modelConfigSchema());
      if (next.name !== model.name) throw new Error(`${file}: name: "${next.name}" does not match its folder "${model.name}"`);
    } catch (err) {
      log.error({ error: (err as Error).message }, 'model.json edit refused; the running config stays');
      return 'invalid';
    }
    const current = model.config;
    const restart = (Object.keys({ ...current, ...next }) as (keyof ModelConfig)[]).filter((k) => !LIVE.has(k) && !isDeepStrictEqual(current[k], next[k]));
    if (restart.length) {
      log.warn({ fields: restart }, `model.json changes ${restart.join(', ')}, which take effect on restart; nothing was applied`);
      return 'needs-restart';
    }
    try {
      for (const version of model.repository.availableVersions()) {
        const signature = model.repository.resolve({ version }).signature;
        checkConfigAgainstSignature(next, signature);
        const only = next.getScore.output;
        if (only && !signature.outputs.some((o) => o.name === only)) throw new Error(`getScore.output "${only}" is not an output of version ${version}`);
      }
    } catch (err) {
      log.error({ error: (err as Error).message }, 'model.json edit does not fit the loaded versions; the running config stays');
      return 'does-not-fit';
    }
    model.config = next;
    model.repository.config = next;
    log.info('model.json reloaded');
    return 'applied';
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void check().finally(schedule), model.config.pollSeconds * 1000);
    timer.unref();
  };
  if (options.poll ?? true) void check().finally(schedule);
  return {
    check,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
