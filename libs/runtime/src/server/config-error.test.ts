/**
 * A bad model config stops a real app at start with ONE JSON log line naming the file and
 * the field, and exit code 1: no stack trace for an operator to read through.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const WORKSPACE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

async function start(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=development', 'apps/iris/src/main.ts'], {
    cwd: WORKSPACE,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (out += d));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  return { code, out };
}

describe('config errors at start', () => {
  it('a bad model.json: one JSON line naming file and field, exit 1', { timeout: 60_000 }, async () => {
    const root = await mkdtemp(join(tmpdir(), 'modelyard-badconfig-'));
    await mkdir(join(root, 'iris'));
    const file = join(root, 'iris', 'model.json');
    await writeFile(file, JSON.stringify({ name: 'iris', backend: 'torch', batching: { maxBatchSize: 0 } }));
    const { code, out } = await start({ MODELS_DIR: root });
    expect(code).toBe(1);
    const lines = out.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as { level: number; msg: string; file: string; fields: string[]; error: string };
    expect(line.level).toBe(60);
    expect(line.msg).toBe('cannot start: invalid configuration');
    expect(line.file).toBe(file);
    expect(line.fields).toEqual(expect.arrayContaining(['backend', 'batching.maxBatchSize']));
    expect(line.error).toContain(file);
    expect(out).not.toMatch(/\n\s+at |\.ts:\d+/);
  });

  it('a bad environment variable: the same, naming the variable', { timeout: 60_000 }, async () => {
    const { code, out } = await start({ MODELS_DIR: join(WORKSPACE, 'models'), BODY_LIMIT: 'ten megabytes' });
    expect(code).toBe(1);
    const lines = out.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).error).toMatch(/^environment variable BODY_LIMIT: "ten megabytes" is not a size/);
  });

  it('a port in use: one JSON line naming host and port, exit 1', { timeout: 60_000 }, async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    try {
      const port = String((busy.address() as AddressInfo).port);
      const { code, out } = await start({ MODELS_DIR: join(WORKSPACE, 'models'), PORT: port, LOG_LEVEL: 'warn' });
      expect(code).toBe(1);
      const lines = out.split('\n').filter((l) => l.trim() !== '');
      const fatal = lines.map((l) => JSON.parse(l) as { level: number; msg: string; port: number }).filter((l) => l.level === 60);
      expect(fatal).toEqual([expect.objectContaining({ msg: `cannot start: cannot listen on 127.0.0.1:${port} (the port is in use)`, port: Number(port) })]);
      expect(out).not.toMatch(/\n\s+at |\.ts:\d+/);
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });
});
