/**
 * ~10 MB valid bodies for the penguins example on every JSON API, answered by a running app
 * while a prober at concurrency 1 asks its main port for /v2/health/live: the longest probe
 * is the longest the app's event loop was held (plus one probe's own cost), the kernel's
 * peak-RSS mark (reset first) its memory growth. Used by the test of issue 8 finding 4 and
 * by the `large-body` drill, which states the real figures.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { loadReference, PENGUIN_INPUTS, PENGUIN_STRING_INPUTS } from './fixtures.js';

type PenguinRecord = Record<string, unknown>;
const INPUTS = Object.entries(PENGUIN_INPUTS);

/** What a record gives an input when it is sent as a tensor: "" for a missing string (as the model was fed). */
const tensorValue = (r: PenguinRecord, input: string, field: string) => r[field] ?? (PENGUIN_STRING_INPUTS.has(input) ? '' : null);

/** The parts of the four answers the labels are read from. */
interface Answer {
  data: { label: string }[];
  predictions: { label: string }[];
  outputs: { label: string[] } & { name: string; data: string[] }[];
}

export interface LargeBodyApi {
  api: string;
  path: string;
  /** TF Serving's JSON has no null for a float (NaN is a token JSON.stringify cannot write): complete records only. */
  completeOnly: boolean;
  body(records: PenguinRecord[]): string;
  /** The label of each record in the answer. */
  labels(answer: Answer): string[];
}

export const LARGE_BODY_APIS: LargeBodyApi[] = [
  {
    api: 'get_score',
    path: '/get_score',
    completeOnly: false,
    body: (records) => JSON.stringify({ data: records }),
    labels: (a) => a.data.map((d) => d.label),
  },
  {
    api: 'predict rows',
    path: '/v1/models/penguins:predict',
    completeOnly: true,
    body: (records) => JSON.stringify({ instances: records.map((r) => Object.fromEntries(INPUTS.map(([input, field]) => [input, [r[field]]]))) }),
    labels: (a) => a.predictions.map((p) => p.label),
  },
  {
    api: 'predict columns',
    path: '/v1/models/penguins:predict',
    completeOnly: true,
    body: (records) => JSON.stringify({ inputs: Object.fromEntries(INPUTS.map(([input, field]) => [input, records.map((r) => [r[field]])])) }),
    labels: (a) => a.outputs.label,
  },
  {
    api: 'v2 infer',
    path: '/v2/models/penguins/infer',
    completeOnly: false,
    body: (records) =>
      JSON.stringify({
        inputs: INPUTS.map(([input, field]) => ({
          name: input,
          shape: [records.length, 1],
          datatype: PENGUIN_STRING_INPUTS.has(input) ? 'BYTES' : 'FP32',
          data: records.map((r) => tensorValue(r, input, field)),
        })),
      }),
    labels: (a) => a.outputs.find((o) => o.name === 'label')!.data,
  },
];

export interface LargeBodyFigures {
  api: string;
  bodyBytes: number;
  records: number;
  status?: number;
  /** Every label as reference.json has it, in order. */
  correct: boolean;
  error?: string;
  totalMs: number;
  longestBlockMs: number;
  probes: number;
  rssGrowthBytes: number;
}

interface Exchange {
  status?: number;
  body: string;
  ms: number;
  error?: string;
}

function exchange(url: string, options: { agent?: Agent; body?: string }): Promise<Exchange> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(url, { method: options.body === undefined ? 'GET' : 'POST', agent: options.agent, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
      res.on('error', (err) => resolve({ status: res.statusCode, body: '', ms: performance.now() - started, error: err.message }));
    });
    req.setTimeout(180_000, () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ body: '', ms: performance.now() - started, error: err.message }));
    req.end(options.body);
  });
}

/**
 * Ordinary traffic before a measurement: `requests` small get_score bodies (32 records),
 * 8 at a time. A serving process has had such traffic; a fresh one has not, and V8 grows
 * its young generation (by ~16 MB, once) on the first few thousand requests or on the first
 * large one, whichever comes first: a cost of the process, not of a body's size.
 */
export async function warmUp(url: string, requests = 3000): Promise<void> {
  const reference = await loadReference('penguins', 1);
  const body = JSON.stringify({ data: Array.from({ length: 32 }, (_, i) => reference.records[i]!) });
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  try {
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < requests / 8; i++) {
          const r = await exchange(`${url}/get_score`, { agent, body });
          if (r.status !== 200) throw new Error(`warm-up request answered ${r.status ?? r.error}`);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
}

async function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]);
}

/**
 * Sends each API's body of about `targetBytes` (the reference records repeated) to the app
 * at `url` (process `pid`, serving penguins `version`), one at a time, and measures.
 */
export async function measureLargeBodies(url: string, pid: number, version: number, targetBytes = 9.5e6, apis = LARGE_BODY_APIS): Promise<LargeBodyFigures[]> {
  const reference = await loadReference('penguins', version);
  const all = reference.records.map((record, i) => ({ record, label: reference.outputs['label']![i] as string }));
  const complete = all.filter(({ record }) => INPUTS.every(([, field]) => record[field] !== null && record[field] !== undefined));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const figures: LargeBodyFigures[] = [];
  try {
    for (const api of apis) {
      const pool = api.completeOnly ? complete : all;
      const perRecord = api.body(pool.map((p) => p.record)).length / pool.length;
      const picked = Array.from({ length: Math.floor(targetBytes / perRecord) }, (_, i) => pool[i % pool.length]!);
      const body = api.body(picked.map((p) => p.record));

      await new Promise((r) => setTimeout(r, 300));
      const before = await statusKiB(pid, 'VmRSS');
      await writeFile(`/proc/${pid}/clear_refs`, '5').catch(() => undefined); // resets VmHWM
      let done = false;
      let longest = 0;
      let probes = 0;
      const prober = (async () => {
        while (!done) {
          const probe = await exchange(`${url}/v2/health/live`, { agent });
          if (probe.status !== 200) throw new Error(`the liveness probe answered ${probe.status ?? probe.error}`);
          probes++;
          longest = Math.max(longest, probe.ms);
        }
      })();
      await new Promise((r) => setTimeout(r, 50));
      const answer = await exchange(`${url}${api.path}`, { body });
      done = true;
      await prober;
      const peak = await statusKiB(pid, 'VmHWM');

      let correct = false;
      let error = answer.error;
      if (answer.status === 200) {
        const labels = api.labels(JSON.parse(answer.body) as Answer);
        correct = labels.length === picked.length && labels.every((l, i) => l === picked[i]!.label);
      } else error ??= answer.body.slice(0, 300);
      figures.push({
        api: api.api,
        bodyBytes: body.length,
        records: picked.length,
        status: answer.status,
        correct,
        ...(error !== undefined && { error }),
        totalMs: answer.ms,
        longestBlockMs: longest,
        probes,
        rssGrowthBytes: (peak - before) * 1024,
      });
    }
  } finally {
    agent.destroy();
  }
  return figures;
}
