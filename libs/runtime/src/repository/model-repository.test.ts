/**
 * ModelRepository with the fake backend (testing/fake-backend/): versions staged on disk as
 * fake.json files, passes driven by sync() and events — no timers, no sleeps.
 */
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadBackend } from '../backends/load-backend.js';
import { parseModelConfig } from '../backends/model-config.js';
import { registerBackend } from '../backends/registry.js';
import { LabelNotFound, NoVersionAvailable, VersionNotFound } from '../errors.js';
import { fakeBackend } from '../testing/fake-backend/descriptor.js';
import { fakes } from '../testing/fake-backend/fake-backend.js';
import { silentLogger } from '../testing/fixtures.js';
import { ModelRepository, type RepositoryEvents } from './model-repository.js';

registerBackend(fakeBackend);

let dir: string;
const stage = async (version: number, artifact: Record<string, unknown>) => {
  await mkdir(join(dir, String(version)), { recursive: true });
  await writeFile(join(dir, String(version), 'fake.json'), JSON.stringify(artifact));
};
const fakeOf = (version: number) => fakes.filter((f) => f.model === 'm' && f.version === version).at(-1)!;
const x = (...rows: [number, number][]) => ({ x: { dtype: 'float32' as const, shape: [rows.length, 2], data: Float32Array.from(rows.flat()) } });

function repository(config: Record<string, unknown> = {}, onLoaded?: (version: number) => void) {
  const log: string[] = [];
  const events: RepositoryEvents = {
    loaded: (_, v) => {
      log.push(`loaded ${v}`);
      onLoaded?.(v);
    },
    loadFailed: (_, v, error) => log.push(`failed ${v}: ${error}`),
    unloaded: (_, v) => log.push(`unloaded ${v}`),
  };
  const parsed = parseModelConfig('m/model.json', JSON.stringify({ name: 'm', backend: 'fake', pollSeconds: 3600, ...config }));
  const repo = new ModelRepository({ modelDir: dir, config: parsed, loadBackend: (o, c) => loadBackend(o, c), logger: silentLogger(), events });
  return { repo, log };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'repo-'));
  fakes.length = 0;
});

describe('ModelRepository with the fake backend', () => {
  it('loads what the version policy asks for, newest serving by default', async () => {
    for (const v of [1, 2, 3]) await stage(v, { scale: v });
    const { repo, log } = repository({ versionPolicy: { latest: { numVersions: 2 } } });
    await repo.sync();
    expect(repo.availableVersions()).toEqual([3, 2]);
    expect(log.sort()).toEqual(['loaded 2', 'loaded 3']);
    const y = (await repo.resolve().infer(x([1, 2]))).y!.data;
    expect([...y]).toEqual([3, 6]);
    expect(() => repo.resolve({ version: 1 })).toThrow(VersionNotFound);

    const specific = repository({ versionPolicy: { specific: { versions: [1] } } });
    await specific.repo.sync();
    expect(specific.repo.availableVersions()).toEqual([1]);
    await Promise.all([repo.stop(), specific.repo.stop()]);
  });

  it('resolves labels, and names an unknown label or a label on a version not loaded', async () => {
    for (const v of [1, 2]) await stage(v, { scale: v });
    const { repo } = repository({ versionPolicy: { all: {} }, labels: { stable: 1, canary: 2, old: 7 } });
    await repo.sync();
    expect(repo.resolve({ label: 'stable' }).version).toBe(1);
    expect(repo.resolve({ label: 'canary' }).version).toBe(2);
    expect(() => repo.resolve({ label: 'beta' })).toThrow(LabelNotFound);
    expect(() => repo.resolve({ label: 'old' })).toThrow(VersionNotFound);
    await repo.stop();
  });

  it('a version that fails to load never replaces a good one, and is retried only when its artifact changes', async () => {
    await stage(1, { scale: 1 });
    const { repo, log } = repository();
    await repo.sync();
    await stage(2, { fail: 'corrupt graph' });
    await repo.sync();
    expect(repo.availableVersions()).toEqual([1]);
    expect(repo.status().find((s) => s.version === 2)).toEqual({ version: 2, state: 'END', error: 'corrupt graph' });
    await repo.sync();
    expect(log.filter((l) => l.startsWith('failed 2'))).toHaveLength(1); // same artifact: not tried again

    await stage(2, { scale: 2 });
    await utimes(join(dir, '2', 'fake.json'), new Date(), new Date(Date.now() + 5000)); // a new fingerprint even within one mtime tick
    await repo.sync();
    expect(repo.availableVersions()).toEqual([2]);
    expect(fakeOf(1).closed).toBe(true);
    expect(log).toContain('unloaded 1');
    await repo.stop();
  });

  it('a RetryLoadError (peer not up yet) is tried again on the next pass without any change', async () => {
    await stage(1, { retry: 'graph service not up' });
    const { repo, log } = repository();
    await repo.sync();
    await repo.sync();
    expect(log).toEqual(['failed 1: graph service not up', 'failed 1: graph service not up']);
    expect(() => repo.resolve()).toThrow(NoVersionAvailable);
    await repo.stop();
  });

  it('drains: the old version finishes every held request, new ones go to the new version, then it is closed', async () => {
    await stage(1, { scale: 1 });
    let loaded2!: () => void;
    const v2Loaded = new Promise<void>((r) => (loaded2 = r));
    const { repo, log } = repository({}, (v) => v === 2 && loaded2());
    await repo.sync();
    const old = repo.resolve();
    const release = fakeOf(1).hold();
    const waiting = [x([1, 1]), x([2, 2]), x([3, 3])].map((input) => old.use((s) => s.infer(input)));
    expect(fakeOf(1).held).toBe(3);

    await stage(2, { scale: 10 });
    const passing = repo.sync();
    await v2Loaded;
    await new Promise(setImmediate); // let the pass reach the unload of version 1

    expect(repo.status().map((s) => [s.version, s.state])).toEqual([
      [2, 'AVAILABLE'],
      [1, 'UNLOADING'],
    ]);
    expect(repo.resolve().version).toBe(2);
    expect([...(await repo.resolve().infer(x([1, 1]))).y!.data]).toEqual([10, 10]);
    expect(fakeOf(1).closed).toBe(false);

    release();
    const answers = await Promise.all(waiting);
    await passing;
    expect(answers.map((a) => [...a.y!.data])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect(fakeOf(1).closed).toBe(true);
    expect(log).toEqual(['loaded 1', 'loaded 2', 'unloaded 1']);
    await repo.stop();
  });

  it('forgets a failed version whose folder is removed', async () => {
    await stage(1, { scale: 1 });
    await stage(2, { fail: 'bad' });
    const { repo } = repository();
    await repo.sync(); // tries 2 (the policy's latest), which fails
    await repo.sync(); // then the newest loadable one, 1
    expect(repo.status().map((s) => [s.version, s.state])).toEqual([
      [2, 'END'],
      [1, 'AVAILABLE'],
    ]);
    await rm(join(dir, '2'), { recursive: true });
    await repo.sync();
    expect(repo.status().map((s) => s.version)).toEqual([1]);
    await repo.stop();
  });
});
