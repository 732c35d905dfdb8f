/**
 * Before anything is measured: every server that serves the model must answer the
 * held-out records with scikit-learn's own labels, and every server must answer the
 * load cells' bodies with 200. A disagreement stops the run.
 */
import { readFile } from 'node:fs/promises';

export interface CheckData {
  records: Record<string, unknown>[];
  labels: string[];
  bodies: { one: string[]; batch: string[] };
}

async function post(url: string, body: string | Buffer, headers: Record<string, string>): Promise<{ status: number; body: Buffer; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(30_000) });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

function firstDifferences(got: unknown, want: string[]): string {
  if (!Array.isArray(got)) return `"data" is not a list: ${JSON.stringify(got)?.slice(0, 200)}`;
  if (got.length !== want.length) return `${got.length} labels for ${want.length} records`;
  const diffs = want.flatMap((w, i) => (got[i] === w ? [] : [`record ${i}: ${JSON.stringify(got[i])}, scikit-learn ${JSON.stringify(w)}`]));
  return diffs.length === 0 ? '' : `${diffs.length} of ${want.length} labels differ; ${diffs.slice(0, 5).join('; ')}`;
}

async function scoreLabels(url: string, body: string): Promise<unknown> {
  const res = await post(url, body, { 'content-type': 'application/json' });
  const text = res.body.toString('utf8');
  if (res.status !== 200) throw new Error(`POST ${url} answered ${res.status}: ${text.slice(0, 300)}`);
  const parsed = JSON.parse(text) as { msg?: unknown; code?: unknown; data?: unknown };
  if (parsed.msg !== 'Successful!' || parsed.code !== 200) throw new Error(`POST ${url}: not the get_score envelope: ${text.slice(0, 300)}`);
  return parsed.data;
}

/** Throws, naming the records, unless the server gives scikit-learn's label for every one. */
export async function checkLabels(name: string, scoreUrl: string, check: CheckData, bodyFiles: { one: string; batch: string }): Promise<void> {
  const cases: [string, string, string[]][] = [
    [`${check.records.length} held-out and null-lag records in one request`, JSON.stringify({ data: check.records }), check.labels],
    ['the 1-record load body', await readFile(bodyFiles.one, 'utf8'), check.bodies.one],
    ['the 100-record load body', await readFile(bodyFiles.batch, 'utf8'), check.bodies.batch],
  ];
  // One record per request too: a 1-row DataFrame is where pandas' dtype guessing differs.
  for (let i = 0; i < Math.min(20, check.records.length); i++) {
    cases.push([`record ${i} alone`, JSON.stringify({ data: [check.records[i]] }), [check.labels[i]!]]);
  }
  for (const [what, body, want] of cases) {
    const diff = firstDifferences(await scoreLabels(scoreUrl, body), want);
    if (diff) throw new Error(`${name} disagrees with scikit-learn on ${what}: ${diff}`);
  }
}

/** The ceilings only have to answer 200 to the same bodies. */
export async function checkAnswers(name: string, scoreUrl: string, bodyFiles: string[]): Promise<void> {
  for (const file of bodyFiles) {
    const res = await post(scoreUrl, await readFile(file), { 'content-type': 'application/json' });
    if (res.status !== 200) throw new Error(`${name}: POST ${scoreUrl} with ${file} answered ${res.status}`);
  }
}

export type BinaryProbe = { available: true } | { available: false; reason: string };

/**
 * Does the server take the v2 binary tensor extension on /v2/models/{m}/infer, and give
 * scikit-learn's labels for it? "No" is a reason to report; wrong labels are an error.
 */
export async function probeBinary(name: string, inferUrl: string, body: Buffer, headers: Record<string, string>, want: string[], readHeader: (b: Buffer, n: string | null) => unknown): Promise<BinaryProbe> {
  let res;
  try {
    res = await post(inferUrl, body, headers);
  } catch (e) {
    return { available: false, reason: `POST ${new URL(inferUrl).pathname} failed: ${(e as Error).message}` };
  }
  if (res.status !== 200) {
    return { available: false, reason: `POST ${new URL(inferUrl).pathname} with Inference-Header-Content-Length answered ${res.status}: ${res.body.toString('utf8').slice(0, 200)}` };
  }
  let answer: { outputs?: { name: string; data?: unknown }[] };
  try {
    answer = readHeader(res.body, res.headers.get('inference-header-content-length')) as typeof answer;
  } catch (e) {
    return { available: false, reason: `the answer's JSON header does not parse: ${(e as Error).message}` };
  }
  const label = answer.outputs?.find((o) => o.name === 'label');
  const diff = firstDifferences(label?.data, want);
  if (diff) throw new Error(`${name} (v2 binary extension) disagrees with scikit-learn on the 100-record body: ${diff}`);
  return { available: true };
}
