/**
 * Memory of a real single-model app process (iris, run from source): idle RSS under a
 * ceiling, and no gRPC code loaded unless GRPC_PORT asks for the gRPC API.
 * The ceiling is generous (run from source, tsx adds ~40 MB per isolate, and the machine is
 * shared); docs/benchmarks/memory.md has the built app's figures and where they go.
 */
import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { WORKSPACE_MODELS } from '../testing/fixtures.js';

const WORKSPACE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const CEILING_MB = 230;

interface Probe {
  rssMb: number;
  threads: number;
  grpcLoaded: boolean;
  grpcPort: number | null;
}

async function probe(env: Record<string, string>): Promise<Probe> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--conditions=development', 'libs/runtime/src/server/testing-apps/memory-probe.ts'], {
    cwd: WORKSPACE,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', MODELS_DIR: WORKSPACE_MODELS, LOG_LEVEL: 'warn', MODEL: 'iris', GRPC_PORT: '', PROCESSES: '1', ...env },
    timeout: 120_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Probe;
}

describe('memory of a single-model app', () => {
  it(`idles under ${CEILING_MB} MB RSS without loading gRPC; GRPC_PORT loads it`, async () => {
    const plain = await probe({});
    expect(plain.grpcLoaded).toBe(false);
    expect(plain.grpcPort).toBeNull();
    expect(plain.rssMb).toBeLessThan(CEILING_MB);

    const withGrpc = await probe({ GRPC_PORT: '0' });
    expect(withGrpc.grpcPort).toBeGreaterThan(0);
    expect(withGrpc.grpcLoaded).toBe(true);
  }, 240_000);
});
