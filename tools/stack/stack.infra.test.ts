/**
 * `nx run stack:up` brings every model in docker-compose.yml up as containers (images built
 * through the engine's Docker API), each answering on its published 127.0.0.1 port;
 * `nx run stack:down` removes them.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// This test starts its own Nx run (builds included) while Nx runs the tests: a new root, or
// Nx's loop detection (keyed by NX_INVOCATION_ROOT_PID) mistakes parallel builds for a cycle.
delete process.env['NX_INVOCATION_ROOT_PID'];

const run = promisify(execFile);
const nx = (target: string, ...args: string[]) => run('npx', ['nx', 'run', target, '--output-style=stream', ...args], { env: { ...process.env, NX_DAEMON: 'false' }, maxBuffer: 64 * 1024 * 1024 });

const services = parse(readFileSync('docker-compose.yml', 'utf8')).services as Record<string, { ports?: string[]; depends_on?: string[] }>;
// A TF Serving pair needs the tensorflow/serving image, which cannot be pulled on an
// offline machine: the stack here is every model that runs in process.
const inProcess = Object.keys(services).filter((name) => !name.endsWith('-graph') && !services[name]!.depends_on?.some((d) => d.endsWith('-graph')));
const published = inProcess.flatMap((name) => (services[name]!.ports ?? []).map((p) => ({ name, port: Number(p.split(':')[1]) })));

afterAll(async () => {
  await nx('stack:down').catch(() => undefined);
}, 120_000);

describe('the local stack', () => {
  it('up: every published service becomes ready; down: they are gone', async () => {
    expect(published.length).toBeGreaterThan(0);
    await nx('stack:up', `--args=${inProcess.join(' ')}`);
    for (const { name, port } of published) {
      const deadline = Date.now() + 60_000;
      let ready = false;
      while (!ready && Date.now() < deadline) {
        ready = await fetch(`http://127.0.0.1:${port}/v2/health/ready`).then((r) => r.ok, () => false);
        if (!ready) await new Promise((r) => setTimeout(r, 500));
      }
      expect(ready, `${name} on ${port}`).toBe(true);
    }
    await nx('stack:down');
    for (const { port } of published) {
      expect(await fetch(`http://127.0.0.1:${port}/v2/health/live`).then(() => 'up', () => 'down')).toBe('down');
    }
  }, 600_000);
});
