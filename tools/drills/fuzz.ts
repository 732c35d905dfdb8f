/**
 * Generated hostile bodies over the three HTTP APIs: valid bodies of each API mutated at
 * random (a value of the wrong type, a key dropped or added, a number out of range, NaN
 * tokens, deep nesting, truncation, stray bytes, wrong shapes). Any 5xx or a crash fails.
 * Seeded, so a failing body can be replayed.
 */
import { Agent } from 'node:http';
import { copyModel, seededRandom, startAppProcess } from '@modelyard/runtime/testing';
import { getScoreBody, inferBody, penguinRecords, predictBody } from './bodies.js';
import { countBy, rssMiB, send, type Outcome } from './client.js';
import type { DrillResult } from './drill.js';

const COUNT = Number(process.env['DRILL_FUZZ_BODIES'] ?? 6000);
const SEED = Number(process.env['DRILL_FUZZ_SEED'] ?? 20261126);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const ODD_VALUES: (() => string)[] = [
  () => 'NaN',
  () => '-Infinity',
  () => '1e39',
  () => '-3.5e38',
  () => '1e400',
  () => '9223372036854775808',
  () => '-0',
  () => 'null',
  () => 'true',
  () => '""',
  () => '"Biscoe"',
  () => '[]',
  () => '{}',
  () => '[[]]',
  () => '{"b64": "AAAA"}',
  () => `"${'x'.repeat(100_000)}"`,
  () => `${'['.repeat(500)}1${']'.repeat(500)}`,
  () => `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
  () => `${'{"a":'.repeat(2_000)}1${'}'.repeat(2_000)}`,
  () => '"\\ud800"',
  () => '[1, "a", null, {"x": [1]}]',
];

/** Every path to a leaf or container in a JSON value, so one can be replaced. */
function paths(v: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (out.length > 400) return out;
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

const MARK = '"__FUZZ_MARK__"';

function mutate(base: string, random: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const kind = Math.floor(random() * 8);
  const doc = JSON.parse(base) as Json;
  const all = paths(doc);
  const target = pick(all.slice(1));
  const parentPath = target.slice(0, -1);
  let parent: Json = doc;
  for (const k of parentPath) parent = (parent as Record<string | number, Json>)[k]!;
  const key = target.at(-1)!;
  const container = parent as Record<string | number, Json>;
  switch (kind) {
    case 0: // a value replaced by an odd one
    case 1:
      container[key] = '__FUZZ_MARK__';
      return JSON.stringify(doc).replace(MARK, pick(ODD_VALUES)());
    case 2: // a key or element dropped
      if (Array.isArray(container)) container.splice(Number(key), 1);
      else delete container[key];
      return JSON.stringify(doc);
    case 3: // a key added
      if (!Array.isArray(container)) container[`extra_${Math.floor(random() * 100)}`] = random() < 0.5 ? 1 : 'x';
      else container.push(random() < 0.5 ? 1 : ['x']);
      return JSON.stringify(doc);
    case 4: {
      // truncated at a random point
      return base.slice(0, Math.floor(random() * base.length));
    }
    case 5: {
      // stray bytes
      const at = Math.floor(random() * base.length);
      return base.slice(0, at) + pick(['\u0000', '}', ']', ',', '"', '\\', 'NaN', '\u00ff', '{"', '[[[[']) + base.slice(at);
    }
    case 6: // a shape or list length changed
      container[key] = Array.isArray(container[key]) ? [] : [0, -1, 1e9, 2.5, 'x'][Math.floor(random() * 5)]!;
      return JSON.stringify(doc);
    default: // the whole body replaced
      return pick(['', 'null', '[]', '{}', '"x"', '1', 'not json', '{"inputs": null}', '{"instances": {}}', '{"data": []}', '{"data": {}}', '{"inputs": [{}]}']);
  }
}

export const fuzzDrill = (): Promise<DrillResult> => fuzz('Fuzzed bodies', 'the penguins app as configured (v2, a random forest, on onnxruntime in the worker pool)', {});

/** The same bodies against penguins v1 (logistic regression) in modelyard's ONNX interpreter. */
export async function fuzzInterpreterDrill(): Promise<DrillResult> {
  const modelsDir = await copyModel('penguins', [1], { onnx: { execution: 'interpreter' } });
  return fuzz('Fuzzed bodies, the model in the interpreter', 'penguins v1 with `"onnx": {"execution": "interpreter"}`', { MODELS_DIR: modelsDir });
}

async function fuzz(name: string, served: string, env: Record<string, string>): Promise<DrillResult> {
  const started = Date.now();
  const app = await startAppProcess('penguins', env);
  let crashed = 0;
  app.child.once('exit', (code) => code !== 0 && code !== null && crashed++);
  const records = (await penguinRecords()).slice(0, 3);
  const bases: [string, string][] = [
    ['/v1/models/penguins:predict', predictBody(records)],
    ['/v1/models/penguins:predict', JSON.stringify({ inputs: Object.fromEntries(Object.entries(JSON.parse(predictBody(records)).instances[0]).map(([k, v]) => [k, [v, v]])) })],
    ['/v1/models/penguins:classify', JSON.stringify({ examples: records })],
    ['/v2/models/penguins/infer', inferBody(records)],
    ['/get_score', getScoreBody(records)],
  ];
  const random = seededRandom(SEED);
  const cases = Array.from({ length: COUNT }, (_, i) => {
    const [path, base] = bases[i % bases.length]!;
    return { path, body: mutate(base, random) };
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const outcomes: (Outcome & { path: string; sent: string })[] = [];
  let next = 0;
  let rssPeak = 0;
  const worker = async () => {
    while (next < cases.length && crashed === 0) {
      const c = cases[next++]!;
      const o = await send(`${app.url}${c.path}`, { agent, body: c.body, timeoutMs: 30_000 });
      outcomes.push({ ...o, path: c.path, sent: c.body });
      if (outcomes.length % 500 === 0) rssPeak = Math.max(rssPeak, await rssMiB(app.child.pid!));
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  agent.destroy();
  const alive = await send(`${app.url}/v2/health/live`);
  await app.stop();

  const bad = outcomes.filter((o) => o.error || (o.status ?? 0) >= 500 || o.status === undefined);
  const notJsonError = outcomes.filter((o) => (o.status ?? 0) >= 400 && !safeError(o.body));
  const examples = [...bad, ...notJsonError].slice(0, 3).map((o) => `${o.path} ${o.status ?? o.error}: ${o.body?.slice(0, 120)} ← ${o.sent.slice(0, 120)}`);
  return {
    name,
    promise: `${COUNT.toLocaleString('en')} generated hostile bodies (seed ${SEED}) over TF Serving predict/classify, v2 infer and /get_score, to ${served}: 0 5xx, 0 crashes, every error a JSON {"error"}.`,
    held: bad.length === 0 && crashed === 0 && alive.status === 200 && notJsonError.length === 0,
    requests: outcomes.length,
    failures: { ...countBy(bad, (o) => o.error ?? `HTTP ${o.status}`), 'error without a JSON "error" field': notJsonError.length },
    fiveXX: outcomes.filter((o) => (o.status ?? 0) >= 500).length,
    crashes: crashed,
    rssPeakMiB: Math.round(rssPeak),
    figures: { 'answers by status': JSON.stringify(countBy(outcomes, (o) => String(o.status ?? o.error))), ...(examples.length ? { 'first failures': examples.join(' | ') } : {}) },
    seconds: (Date.now() - started) / 1000,
  };
}

function safeError(body: string | undefined): boolean {
  try {
    return typeof (JSON.parse(body ?? '') as { error?: unknown }).error === 'string';
  } catch {
    return false;
  }
}
