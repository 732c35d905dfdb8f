/**
 * The Jenkinsfile, evaluated by Debian's groovy against a stub of the declarative DSL
 * (jenkins/pipeline-stub.groovy): which stages run, and which commands each would run,
 * for a main-branch build and for a pull request.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const JAVA_HOME = process.env['JAVA_HOME'] ?? '/usr/lib/jvm/java-17-openjdk-amd64';

interface Stage {
  name: string;
  ran: boolean;
  steps: { type: string; text: string }[];
}

async function evaluate(env: Record<string, string>, file = 'Jenkinsfile'): Promise<Stage[]> {
  const { stdout } = await run('groovy', ['tools/ci/jenkins/pipeline-stub.groovy', file], { env: { ...process.env, JAVA_HOME, ...env } });
  return (JSON.parse(stdout) as { stages: Stage[] }).stages;
}

const commands = (stages: Stage[], name: string) => stages.find((s) => s.name === name)!.steps.filter((s) => s.type === 'sh').map((s) => s.text);
const ran = (stages: Stage[]) => stages.filter((s) => s.ran).map((s) => s.name);

describe('Jenkinsfile', () => {
  it('main: tests what is affected, pushes, deploys to sit, promotes behind approvals, moves last-green', async () => {
    const stages = await evaluate({ BRANCH_NAME: 'main', GIT_COMMIT: 'abc123' });
    expect(ran(stages)).toEqual(['Checkout', 'Install', 'Plan', 'Lint, test, build', 'Publish images', 'Deploy to sit', 'Promote to stg', 'Promote to prd', 'post: success', 'post: always']);
    expect(commands(stages, 'Install')).toEqual(['npm ci --no-audit --no-fund']);
    expect(commands(stages, 'Plan')).toEqual(['npx tsx tools/ci/base.ts', 'npx tsx tools/ci/plan.ts --base "$NX_BASE" --json plan.json']);
    expect(commands(stages, 'Lint, test, build')).toEqual(['npx nx affected -t lint test build --base="$NX_BASE" --head=HEAD']);
    const publish = stages.find((s) => s.name === 'Publish images')!.steps;
    expect(publish).toEqual([
      { type: 'credentials', text: 'harbor-robot-modelyard' },
      { type: 'sh', text: 'npx tsx tools/ci/publish.ts --plan plan.json' },
    ]);
    expect(commands(stages, 'Deploy to sit')[0]).toMatch(/^npx tsx tools\/ci\/bump-overlay.ts --env sit --tag "\$GIT_COMMIT" /);
    for (const [stage, from, to] of [['Promote to stg', 'sit', 'stg'], ['Promote to prd', 'stg', 'prd']] as const) {
      const steps = stages.find((s) => s.name === stage)!.steps;
      expect(steps[0]!.type).toBe('input'); // the approval comes before anything changes
      expect(steps[1]).toEqual({ type: 'sh', text: `npx tsx tools/ci/promote.ts --from ${from} --to ${to}` });
    }
    expect(commands(stages, 'post: success')).toEqual(['npx tsx tools/ci/mark-green.ts']);
  });

  it('pull request: lint, test and build only; nothing is pushed, deployed or tagged', async () => {
    const stages = await evaluate({ BRANCH_NAME: 'PR-7', CHANGE_ID: '7', GIT_COMMIT: 'def456' });
    expect(ran(stages)).toEqual(['Checkout', 'Install', 'Plan', 'Lint, test, build', 'post: success', 'post: always']);
    expect(commands(stages, 'post: success')).toEqual([]);
    expect(stages.flatMap((s) => s.steps).some((s) => /publish|bump-overlay|promote|mark-green/.test(s.text))).toBe(false);
  });

  it('every shell step calls npm, Nx, git or a tools/ci script', async () => {
    const stages = await evaluate({ BRANCH_NAME: 'main', GIT_COMMIT: 'abc123' });
    for (const step of stages.flatMap((s) => s.steps).filter((s) => s.type === 'sh')) {
      expect(step.text).toMatch(/^(npm ci|npx nx |npx tsx tools\/ci\/|git fetch)/);
    }
  });

  it('a syntax error fails the check', async () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'jenkinsfile-')), 'Jenkinsfile');
    writeFileSync(broken, readFileSync('Jenkinsfile', 'utf8').replace("stage('Install') {", "stage('Install' {"));
    await expect(evaluate({ BRANCH_NAME: 'main' }, broken)).rejects.toThrow();
  });
});
