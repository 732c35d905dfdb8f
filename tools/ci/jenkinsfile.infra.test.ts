/**
 * The two pipelines, evaluated by Debian's groovy against a stub of the declarative DSL
 * (jenkins/pipeline-stub.groovy): which stages run, and which commands each would run.
 * Jenkinsfile (commits): a main-branch build and a pull request; it never waits for a person.
 * Jenkinsfile.promote: each action of the parameterised promotion pipeline.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const JAVA_HOME = process.env['JAVA_HOME'] ?? '/usr/lib/jvm/java-17-openjdk-amd64';

interface Evaluated {
  stages: Stage[];
  parameters: { type: string; name: string; choices?: string[] }[];
  options: string[];
}

interface Stage {
  name: string;
  ran: boolean;
  steps: { type: string; text: string }[];
}

async function evaluateAll(env: Record<string, string>, file = 'Jenkinsfile'): Promise<Evaluated> {
  const { stdout } = await run('groovy', ['tools/ci/jenkins/pipeline-stub.groovy', file], { env: { ...process.env, JAVA_HOME, ...env } });
  return JSON.parse(stdout) as Evaluated;
}
const evaluate = async (env: Record<string, string>, file = 'Jenkinsfile') => (await evaluateAll(env, file)).stages;

const commands = (stages: Stage[], name: string) => stages.find((s) => s.name === name)!.steps.filter((s) => s.type === 'sh').map((s) => s.text);
const ran = (stages: Stage[]) => stages.filter((s) => s.ran).map((s) => s.name);

describe('Jenkinsfile', () => {
  it('main: tests what is affected, pushes, deploys to sit, moves last-green; no approval anywhere', async () => {
    const stages = await evaluate({ BRANCH_NAME: 'main', GIT_COMMIT: 'abc123' });
    expect(ran(stages)).toEqual(['Checkout', 'Install', 'Sync check', 'Plan', 'Lint, test, build', 'Publish images', 'Deploy to sit', 'post: success', 'post: always']);
    expect(commands(stages, 'Install')).toEqual(['npm ci --no-audit --no-fund']);
    expect(commands(stages, 'Sync check')).toEqual(['npx nx sync:check']);
    expect(commands(stages, 'Plan')).toEqual(['npx tsx tools/ci/base.ts', 'npx tsx tools/ci/plan.ts --base "$NX_BASE" --json plan.json']);
    expect(commands(stages, 'Lint, test, build')).toEqual(['npx nx affected -t lint test build manifests --base="$NX_BASE" --head=HEAD']);
    const publish = stages.find((s) => s.name === 'Publish images')!.steps;
    expect(publish).toEqual([
      { type: 'credentials', text: 'harbor-robot-modelyard' },
      { type: 'sh', text: 'npx tsx tools/ci/publish.ts --plan plan.json' },
    ]);
    expect(commands(stages, 'Deploy to sit')[0]).toMatch(/^npx tsx tools\/ci\/bump-overlay.ts --env sit --tag "\$GIT_COMMIT" /);
    expect(commands(stages, 'Deploy to sit')[1]).toBe('npx tsx tools/ci/commit-overlays.ts --message "sit: $GIT_COMMIT"');
    // Commits keep flowing: nothing in the commit pipeline waits for a person or promotes.
    expect(stages.flatMap((s) => s.steps).filter((s) => s.type === 'input' || /promote\.ts|rollback\.ts/.test(s.text))).toEqual([]);
    // last-green moves once sit runs the build, whatever happens to promotions.
    expect(commands(stages, 'post: success')).toEqual(['npx tsx tools/ci/mark-green.ts']);
  });

  it('pull request: lint, test and build only; nothing is pushed, deployed or tagged', async () => {
    const stages = await evaluate({ BRANCH_NAME: 'PR-7', CHANGE_ID: '7', GIT_COMMIT: 'def456' });
    expect(ran(stages)).toEqual(['Checkout', 'Install', 'Sync check', 'Plan', 'Lint, test, build', 'post: success', 'post: always']);
    expect(commands(stages, 'post: success')).toEqual([]);
    expect(stages.flatMap((s) => s.steps).some((s) => /publish|bump-overlay|promote|mark-green/.test(s.text))).toBe(false);
  });

  it('every shell step of both pipelines calls npm, Nx, git or a tools/ci script', async () => {
    const runs = [await evaluate({ BRANCH_NAME: 'main', GIT_COMMIT: 'abc123' })];
    for (const ACTION of ['sit-to-stg', 'stg-to-prd', 'rollback']) runs.push(await evaluate({ PARAMS: JSON.stringify({ ACTION }) }, 'Jenkinsfile.promote'));
    for (const step of runs.flat().flatMap((s) => s.steps).filter((s) => s.type === 'sh')) {
      expect(step.text).toMatch(/^(npm ci|npx nx |npx tsx (--conditions=development )?tools\/ci\/|git fetch)/);
    }
  });

  it('a syntax error fails the check', async () => {
    const brokenPromote = join(mkdtempSync(join(tmpdir(), 'jenkinsfile-')), 'Jenkinsfile.promote');
    writeFileSync(brokenPromote, readFileSync('Jenkinsfile.promote', 'utf8').replace("stage('Approve') {", "stage('Approve' {"));
    await expect(evaluate({}, brokenPromote)).rejects.toThrow();
    const broken = join(mkdtempSync(join(tmpdir(), 'jenkinsfile-')), 'Jenkinsfile');
    writeFileSync(broken, readFileSync('Jenkinsfile', 'utf8').replace("stage('Install') {", "stage('Install' {"));
    await expect(evaluate({ BRANCH_NAME: 'main' }, broken)).rejects.toThrow();
  });
});

describe('Jenkinsfile.promote', () => {
  it('is started by a person with an action, apps and a rollback target; one promotion at a time', async () => {
    const { parameters, options } = await evaluateAll({}, 'Jenkinsfile.promote');
    expect(parameters.map((p) => p.name)).toEqual(['ACTION', 'APPS', 'ROLLBACK_ENV', 'ROLLBACK_TAG', 'GATE_OVERRIDE']);
    expect(parameters[0]!.choices).toEqual(['sit-to-stg', 'stg-to-prd', 'rollback']);
    expect(options).toContain('disableConcurrentBuilds');
  });

  it.each([
    ['sit-to-stg', 'Promote to stg', 'npx tsx tools/ci/promote.ts --from sit --to stg $APPS'],
    ['stg-to-prd', 'Promote to prd', 'npx tsx tools/ci/promote.ts --from stg --to prd $APPS'],
    ['rollback', 'Roll back', 'npx tsx tools/ci/rollback.ts --env "$ROLLBACK_ENV" --tag "$ROLLBACK_TAG" $APPS'],
  ])('%s: plan, then an approval, then only its own change, pushed with rebase-retry', async (ACTION, stage, command) => {
    const stages = await evaluate({ PARAMS: JSON.stringify({ ACTION, APPS: 'iris' }) }, 'Jenkinsfile.promote');
    const gate = ACTION === 'stg-to-prd' ? ['Replay gate'] : [];
    expect(ran(stages)).toEqual(['Checkout', 'Install', 'Plan', ...gate, 'Approve', stage]);
    expect(commands(stages, 'Plan')).toEqual(['npx tsx tools/ci/promotion-plan.ts --action "$ACTION" --env "$ROLLBACK_ENV" --tag "$ROLLBACK_TAG" $APPS']);
    // The approval comes after the plan is shown and before anything changes.
    expect(stages.find((s) => s.name === 'Approve')!.steps).toEqual([{ type: 'input', text: `Apply ${ACTION} (iris)?` }]);
    expect(commands(stages, stage)[0]).toBe(command);
    expect(commands(stages, stage)[1]).toMatch(/^npx tsx tools\/ci\/commit-overlays\.ts --branch main --message /);
    // It builds nothing, publishes nothing and never moves last-green.
    expect(stages.flatMap((s) => s.steps).some((s) => /publish|mark-green|nx affected|bump-overlay/.test(s.text))).toBe(false);
  });

  it('stg → prd: the replay gate runs between the plan and the approval, and keeps its reports either way', async () => {
    const stages = await evaluate({ PARAMS: JSON.stringify({ ACTION: 'stg-to-prd', APPS: 'penguins', GATE_OVERRIDE: '' }) }, 'Jenkinsfile.promote');
    const names = ran(stages);
    expect(names.indexOf('Replay gate')).toBe(names.indexOf('Plan') + 1);
    expect(names.indexOf('Approve')).toBe(names.indexOf('Replay gate') + 1);
    expect(stages.find((s) => s.name === 'Replay gate')!.steps).toEqual([
      { type: 'sh', text: 'npx tsx --conditions=development tools/ci/replay-gate.ts --from stg --to prd --requests-dir "$REPLAY_REQUESTS_DIR" --out replay-reports --override "$GATE_OVERRIDE" $APPS' },
      { type: 'archive', text: 'replay-reports/**' },
    ]);
    const { parameters } = await evaluateAll({}, 'Jenkinsfile.promote');
    expect(parameters.find((p) => p.name === 'GATE_OVERRIDE')).toMatchObject({ type: 'string', defaultValue: '' });
  });
});
