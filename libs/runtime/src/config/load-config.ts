import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import type { ModelConfig, ModelConfigSchema } from './schema.js';

export const CONFIG_FILE = 'model.json';

/** A config that cannot be used: the message names the file and the field. */
export class ConfigError extends Error {
  constructor(
    message: string,
    /** The file at fault and its offending fields (dotted paths), for a structured log line. */
    readonly file?: string,
    readonly fields?: string[],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

function describeIssues(file: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    const field = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
    return `  ${field}: ${issue.message}`;
  });
  return `${file} is not a valid model config:\n${lines.join('\n')}`;
}

/** `schema`: the one built from the registered backends (backends/registry.ts modelConfigSchema()). */
export function parseModelConfig(file: string, text: string, schema: ModelConfigSchema): ModelConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file} is not valid JSON: ${(err as Error).message}`, file);
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const fields = result.error.issues.map((issue) => (issue.path.length ? issue.path.map(String).join('.') : '(top level)'));
    throw new ConfigError(describeIssues(file, result.error), file, fields);
  }
  const config = result.data;
  const names = new Set<string>();
  for (const [i, input] of (config.inputs ?? []).entries()) {
    if (names.has(input.name)) throw new ConfigError(`${file}: inputs.${i}.name: "${input.name}" appears twice`, file, [`inputs.${i}.name`]);
    names.add(input.name);
  }
  return config;
}

/** Reads models/<name>/model.json; the folder name must match the config's name. */
export async function loadModelConfig(modelDir: string, schema: ModelConfigSchema, expectedName?: string): Promise<ModelConfig> {
  const file = join(modelDir, CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read model config ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, file);
  }
  const config = parseModelConfig(file, text, schema);
  if (expectedName !== undefined && config.name !== expectedName) {
    throw new ConfigError(`${file}: name: "${config.name}" does not match its folder "${expectedName}"`, file, ['name']);
  }
  return config;
}
