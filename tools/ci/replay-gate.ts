/**
 * The promotion pipeline's replay gate (stg → prd), before anyone is asked to approve:
 *   npx tsx tools/ci/replay-gate.ts --from stg --to prd [--requests-dir recordings]
 *                                   [--out replay-reports] [--override "<reason>"] [app...]
 * For every app that would move (the same apps promote.ts moves), and every model it serves
 * whose served version differs between the commits the two overlays deploy, the recorded
 * requests are replayed against both versions (tools/replay) and the report judged against
 * the candidate's model.json `gate` thresholds (max label-flip rate, max mean |Δ|). Above
 * either, the promotion is refused (exit 1) unless a person gives a reason with --override,
 * which is recorded in the gate's summary next to the reports.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gateOf, parseModelConfig, parseRecording, type GateConfig, type RecordedRequest, type ReplayReport } from '@modelyard/runtime';
import { runReplay } from '../replay/run-replay.js';
import { parseArgs } from './ci-env.js';
import { git, tryGit } from './git.js';
import { ENVIRONMENTS, overlayFile, readTag, type Environment } from './overlay.js';

export interface GateOptions {
  cwd: string;
  from: Environment;
  to: Environment;
  apps?: readonly string[];
  /** <dir>/<model>/requests*.jsonl, as the runtime records them; default: <cwd>/recordings. */
  requestsDir?: string;
  outDir: string;
  /** A person's reason to promote despite a refusal. */
  override?: { reason: string; by: string };
}

export interface ModelDecision {
  app: string;
  model: string;
  /** The version each environment serves unpinned, or why there is nothing to compare. */
  current?: number;
  candidate?: number;
  verdict: 'pass' | 'block' | 'unchanged' | 'new';
  reasons: string[];
  thresholds?: GateConfig;
  requestsFrom?: string;
  report?: string;
  figures?: Pick<ReplayReport, 'rows' | 'labelFlips' | 'labelFlipRate' | 'meanAbsDelta' | 'maxAbsDelta'>;
}

export interface GateResult {
  passed: boolean;
  decisions: ModelDecision[];
  override?: { reason: string; by: string };
}

/** The models an app serves: metadata.modelyard.model (or .models for a yard). */
function modelsOf(cwd: string, app: string): string[] {
  const project = JSON.parse(readFileSync(join(cwd, 'apps', app, 'project.json'), 'utf8')) as { metadata?: { modelyard?: { model?: string; models?: string[] } } };
  const meta = project.metadata?.modelyard;
  return meta?.models ?? (meta?.model ? [meta.model] : []);
}

/** What a commit serves of a model by default: the `stable` label, else its newest version. */
function servedAt(cwd: string, sha: string, model: string): { version: number; tree: string; configText: string } | undefined {
  const configText = tryGit(cwd, 'show', `${sha}:models/${model}/model.json`);
  if (configText === undefined) return undefined;
  const versions = (tryGit(cwd, 'ls-tree', '-d', '--name-only', `${sha}:models/${model}`) ?? '')
    .split('\n')
    .filter((d) => /^[1-9]\d*$/.test(d))
    .map(Number);
  if (versions.length === 0) return undefined;
  const stable = (JSON.parse(configText) as { labels?: Record<string, number> }).labels?.['stable'];
  const version = stable !== undefined && versions.includes(stable) ? stable : Math.max(...versions);
  return { version, tree: git(cwd, 'rev-parse', `${sha}:models/${model}/${version}`), configText };
}

function extract(cwd: string, sha: string, path: string, into: string): void {
  mkdirSync(into, { recursive: true });
  const tar = execFileSync('git', ['archive', '--format=tar', sha, path], { cwd, maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', into], { input: tar });
}

/** Every recorded file of the model, oldest first (requests.N.jsonl … requests.jsonl). */
function recordedRequests(dir: string, model: string): { requests: RecordedRequest[]; from: string } | undefined {
  const folder = join(dir, model);
  if (!existsSync(folder)) return undefined;
  const rank = (f: string) => Number(/^requests\.(\d+)\.jsonl$/.exec(f)?.[1] ?? 0);
  const files = readdirSync(folder)
    .filter((f) => /^requests(\.\d+)?\.jsonl$/.test(f))
    .sort((a, b) => rank(b) - rank(a));
  const requests = files.flatMap((f) => parseRecording(readFileSync(join(folder, f), 'utf8'), join(folder, f)));
  return requests.length > 0 ? { requests, from: folder } : undefined;
}

/** With nothing recorded, the current version's references stand in: one record per request. */
function referenceRequests(versionDir: string, model: string, version: number): { requests: RecordedRequest[]; from: string } | undefined {
  const file = join(versionDir, 'reference.json');
  if (!existsSync(file)) return undefined;
  const reference = JSON.parse(readFileSync(file, 'utf8')) as { records?: Record<string, unknown>[] };
  if (!reference.records?.length) return undefined;
  return { requests: reference.records.map((r) => ({ time: '', model, version, records: [r] })), from: `${file} (no recorded requests)` };
}

export async function replayGate(options: GateOptions): Promise<GateResult> {
  const { cwd, from, to } = options;
  const requestsDir = resolve(cwd, options.requestsDir ?? 'recordings');
  const apps = options.apps?.length ? options.apps : readdirSync(join(cwd, 'apps')).filter((a) => existsSync(join(cwd, overlayFile(a, from))) && existsSync(join(cwd, 'apps', a, 'project.json')));
  mkdirSync(options.outDir, { recursive: true });
  const decisions: ModelDecision[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'replay-gate-'));
  try {
    for (const app of apps) {
      const candidateSha = readTag(join(cwd, overlayFile(app, from)), app);
      const currentSha = readTag(join(cwd, overlayFile(app, to)), app);
      for (const model of modelsOf(cwd, app)) {
        const decision: ModelDecision = { app, model, verdict: 'unchanged', reasons: [] };
        decisions.push(decision);
        const candidate = tryGit(cwd, 'rev-parse', '--verify', '-q', `${candidateSha}^{commit}`) ? servedAt(cwd, candidateSha, model) : undefined;
        const current = tryGit(cwd, 'rev-parse', '--verify', '-q', `${currentSha}^{commit}`) ? servedAt(cwd, currentSha, model) : undefined;
        decision.current = current?.version;
        decision.candidate = candidate?.version;
        if (!candidate) {
          decision.verdict = 'block';
          decision.reasons.push(`${from} deploys ${candidateSha}, which is not a commit of this repository holding models/${model}: nothing to judge`);
          continue;
        }
        if (!current) {
          // Nothing in prd to compare with: a first deployment is the approval's call.
          decision.verdict = 'new';
          decision.reasons.push(`${to} deploys ${currentSha}, no commit with models/${model}: nothing to replay against`);
          continue;
        }
        if (current.tree === candidate.tree) {
          decision.reasons.push(`version ${candidate.version} is the same in ${from} and ${to}`);
          continue;
        }
        const currentRoot = join(scratch, `${model}-current`);
        const candidateRoot = join(scratch, `${model}-candidate`);
        extract(cwd, currentSha, `models/${model}/${current.version}`, currentRoot);
        extract(cwd, candidateSha, `models/${model}`, candidateRoot);
        const currentDir = join(currentRoot, 'models', model, String(current.version));
        const source = recordedRequests(requestsDir, model) ?? referenceRequests(currentDir, model, current.version);
        const thresholds = gateOf(parseModelConfig(`${candidateSha}:models/${model}/model.json`, candidate.configText));
        decision.thresholds = thresholds;
        if (!source) {
          decision.verdict = 'block';
          decision.reasons.push(`no recorded requests in ${join(requestsDir, model)} and no reference records in version ${current.version}: nothing to replay`);
          continue;
        }
        decision.requestsFrom = source.from;
        const { report, json } = await runReplay({
          modelsDir: join(candidateRoot, 'models'),
          model,
          candidate: String(candidate.version),
          current: currentDir,
          requests: source.requests,
          outDir: join(options.outDir, app),
          names: { current: `${to} v${current.version} (${currentSha.slice(0, 12)})`, candidate: `${from} v${candidate.version} (${candidateSha.slice(0, 12)})` },
        });
        decision.report = json;
        decision.figures = { rows: report.rows, labelFlips: report.labelFlips, labelFlipRate: report.labelFlipRate, meanAbsDelta: report.meanAbsDelta, maxAbsDelta: report.maxAbsDelta };
        if (report.labelFlipRate > thresholds.maxLabelFlipRate) decision.reasons.push(`label-flip rate ${report.labelFlipRate.toFixed(4)} > ${thresholds.maxLabelFlipRate}`);
        if (report.meanAbsDelta > thresholds.maxMeanAbsDelta) decision.reasons.push(`mean |Δ| ${report.meanAbsDelta.toExponential(3)} > ${thresholds.maxMeanAbsDelta}`);
        if (report.failures.length > 0) decision.reasons.push(`${report.failures.length} requests failed on one side`);
        decision.verdict = decision.reasons.length > 0 ? 'block' : 'pass';
        if (decision.verdict === 'pass') decision.reasons.push(`within the thresholds (flip rate ≤ ${thresholds.maxLabelFlipRate}, mean |Δ| ≤ ${thresholds.maxMeanAbsDelta})`);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const blocked = decisions.some((d) => d.verdict === 'block');
  const result: GateResult = { passed: !blocked || options.override !== undefined, decisions, ...(blocked && options.override && { override: options.override }) };
  writeFileSync(join(options.outDir, 'replay-gate.json'), JSON.stringify(result, null, 2) + '\n');
  return result;
}

if (process.argv[1]?.endsWith('replay-gate.ts')) {
  const { flags, words } = parseArgs(process.argv.slice(2));
  const [from, to] = [flags['from'], flags['to']] as Environment[];
  if (!ENVIRONMENTS.includes(from!) || !ENVIRONMENTS.includes(to!)) {
    console.error('usage: replay-gate.ts --from stg --to prd [--requests-dir recordings] [--out replay-reports] [--override "<reason>"] [app...]');
    process.exit(2);
  }
  const reason = flags['override']?.trim();
  const by = process.env['BUILD_USER_ID'] || process.env['USER'] || 'unknown';
  try {
    const result = await replayGate({ cwd: process.cwd(), from: from!, to: to!, apps: words, requestsDir: flags['requests-dir'], outDir: flags['out'] || 'replay-reports', override: reason ? { reason, by } : undefined });
    for (const d of result.decisions) console.log(`${d.app}/${d.model}: ${d.verdict.toUpperCase()} (${to} v${d.current ?? '-'} → ${from} v${d.candidate ?? '-'}): ${d.reasons.join('; ')}`);
    if (result.override) console.log(`OVERRIDDEN by ${result.override.by}: ${result.override.reason}`);
    process.exit(result.passed ? 0 : 1);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
