/**
 * What `npm run replay` does, callable from the promotion gate: reads the model's config,
 * finds the current and the candidate version, replays the recorded requests against both
 * in process (@modelyard/runtime's replay) and writes the report as JSON and Markdown.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { loadModelConfig, parseRecording, replay, type RecordedRequest, type ReplayReport, type ReplaySide } from '@modelyard/runtime';
import { renderMarkdown } from './report-markdown.js';

export interface RunReplayOptions {
  modelsDir: string;
  model: string;
  /** A version number on disk, or a path to a version folder (outside the model folder). */
  candidate: string;
  /** Default: the `stable` label, else the newest version on disk other than the candidate. */
  current?: string;
  /** A recording (JSON lines); or the requests themselves. */
  requests: string | RecordedRequest[];
  /** Where replay-<model>.json and .md go. */
  outDir: string;
  /** How the report names the two sides, when not by what was given (the gate's git folders). */
  names?: { current: string; candidate: string };
}

const versionsOn = (modelDir: string) =>
  readdirSync(modelDir)
    .filter((d) => /^[1-9]\d*$/.test(d) && statSync(join(modelDir, d)).isDirectory())
    .map(Number)
    .sort((a, b) => b - a);

function side(modelDir: string, spec: string): ReplaySide {
  if (/^[1-9]\d*$/.test(spec)) {
    const versionDir = join(modelDir, spec);
    if (!existsSync(versionDir)) throw new Error(`version ${spec} is not in ${modelDir} (it has ${versionsOn(modelDir).join(', ') || 'none'})`);
    return { name: spec, versionDir, version: Number(spec) };
  }
  const versionDir = resolve(spec);
  if (!existsSync(versionDir) || !statSync(versionDir).isDirectory()) throw new Error(`--candidate ${spec}: neither a version number nor a version folder`);
  // A folder named like a version keeps its number; any other gets 0 (it is only a name here).
  return { name: spec, versionDir, version: /^[1-9]\d*$/.test(basename(versionDir)) ? Number(basename(versionDir)) : 0 };
}

export async function runReplay(options: RunReplayOptions): Promise<{ report: ReplayReport; json: string; markdown: string }> {
  const modelDir = join(options.modelsDir, options.model);
  const config = await loadModelConfig(modelDir, options.model);
  const candidate = side(modelDir, options.candidate);
  let current = options.current;
  if (current === undefined) {
    const stable = config.labels['stable'];
    const fallback = versionsOn(modelDir).find((v) => v !== candidate.version || candidate.versionDir !== join(modelDir, String(v)));
    current = String(stable !== undefined && stable !== candidate.version ? stable : (fallback ?? ''));
    if (!current) throw new Error(`${options.model}: no current version to compare the candidate with (give --current)`);
  }
  const requests = typeof options.requests === 'string' ? parseRecording(await readFile(options.requests, 'utf8'), options.requests) : options.requests;
  if (requests.length === 0) throw new Error('no requests to replay');
  const sides = { current: side(modelDir, current), candidate };
  if (options.names) {
    sides.current.name = options.names.current;
    sides.candidate.name = options.names.candidate;
  }
  const report = await replay({ config, ...sides, requests });
  await mkdir(options.outDir, { recursive: true });
  const json = join(options.outDir, `replay-${options.model}.json`);
  const markdown = join(options.outDir, `replay-${options.model}.md`);
  await writeFile(json, JSON.stringify(report, null, 2) + '\n');
  await writeFile(markdown, renderMarkdown(report));
  return { report, json, markdown };
}
