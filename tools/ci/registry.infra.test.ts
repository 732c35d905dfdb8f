/**
 * The publish step for real: penguins' image built by the local engine and pushed by
 * publish() to a Distribution registry on 127.0.0.1 under its commit and branch tags,
 * then pulled back by tag with the same digest.
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@modelyard/runtime/testing';
import { scratchWorkspace, WORKSPACE } from '../scale/scratch-workspace.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectEngine, runnerOf, type Engine } from '../container/engine.js';
import { exec } from '../container/exec.js';
import { planImages } from './image-plan.js';
import { manifestDigest, startLocalRegistry, type LocalRegistry } from './local-registry.js';
import type { Plan } from './plan.js';
import { publish } from './publish.js';

// This test starts its own Nx run (builds included) while Nx runs the tests: a new root, or
// Nx's loop detection (keyed by NX_INVOCATION_ROOT_PID) mistakes parallel builds for a cycle.
delete process.env['NX_INVOCATION_ROOT_PID'];

let registry: LocalRegistry;
let engine: Engine;
const sha = `${process.pid}`.padStart(40, 'c');

// Its own copy of the workspace: publish() builds the runtime and penguins there, in its own dist folders.
let scratch: string;

beforeAll(async () => {
  engine = await detectEngine();
  registry = await startLocalRegistry(await freePort());
  scratch = scratchWorkspace('modelyard-publish-');
  for (const path of ['apps/penguins', 'models/penguins']) cpSync(join(WORKSPACE, path), join(scratch, path), { recursive: true, filter: (src) => !src.includes('/dist') });
}, 60_000);
afterAll(async () => {
  await registry?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('publish to a registry', () => {
  it('pushes the planned references and pulls them back with the same digest', async () => {
    const images = planImages(scratch, ['penguins'], { registry: registry.address, project: 'modelyard' }, sha, 'main');
    const plan: Plan = { base: 'x', baseReason: 'test', head: sha, apps: ['penguins'], images };
    const pushed = await publish(plan, { tlsVerify: false, engine, cwd: scratch });
    expect(pushed).toEqual([`${registry.address}/modelyard/penguins:${sha}`, `${registry.address}/modelyard/penguins:main`]);

    const tags = (await (await fetch(`http://${registry.address}/v2/modelyard/penguins/tags/list`)).json()) as { tags: string[] };
    expect(tags.tags.sort()).toEqual([sha, 'main'].sort());
    const bySha = await manifestDigest(registry.address, 'modelyard/penguins', sha);
    expect(bySha).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await manifestDigest(registry.address, 'modelyard/penguins', 'main')).toBe(bySha);

    const runner = runnerOf(engine);
    const ref = `${registry.address}/modelyard/penguins:main`;
    await exec(runner, runner === 'docker' ? ['pull', ref] : ['pull', '--tls-verify=false', ref]);
    // The pulled reference resolves to the very manifest the registry holds.
    const { stdout } = await exec(runner, ['image', 'inspect', '--format', '{{json .RepoDigests}}', ref]);
    expect(JSON.parse(stdout)).toContain(`${registry.address}/modelyard/penguins@${bySha}`);
    await exec(runner, ['rmi', '-f', ref]).catch(() => undefined);
  }, 600_000);
});
