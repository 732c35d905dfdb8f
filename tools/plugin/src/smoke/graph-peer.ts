/**
 * A tfserving-backed app needs its graph service. TF Serving cannot run everywhere tests do,
 * so where the latest version also holds the network as ONNX (as digits does), a modelyard
 * runtime serves it over TF Serving's own REST API on a real socket; otherwise the smoke test
 * needs TFSERVING_URL pointing at a real graph service, and says so.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@modelyard/runtime';
import { freePort } from '@modelyard/runtime/testing';
import { latestVersion } from './expected-answer.js';

export interface GraphPeer {
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** `backend`: tfserving (the peer answers TF Serving's REST API) or v2 (the Open Inference Protocol). */
export async function startGraphPeer(modelDir: string, served: string, backend: 'tfserving' | 'v2' = 'tfserving'): Promise<GraphPeer> {
  const urlVariable = backend === 'v2' ? 'V2_URL' : 'TFSERVING_URL';
  if (process.env[urlVariable]) return { env: { [urlVariable]: process.env[urlVariable]! }, stop: async () => undefined };
  const version = latestVersion(modelDir);
  const onnx = join(modelDir, String(version), 'model.onnx');
  if (!existsSync(onnx)) throw new Error(`${served} runs in a graph service: set ${urlVariable} to it (no ONNX copy in ${modelDir}/${version} to stand in for it)`);
  const dir = await mkdtemp(join(tmpdir(), 'graph-peer-'));
  await mkdir(join(dir, served, String(version)), { recursive: true });
  await cp(onnx, join(dir, served, String(version), 'model.onnx'));
  await writeFile(join(dir, served, 'model.json'), JSON.stringify({ name: served, backend: 'onnx' }));
  const peer = await serve({ model: served, env: { host: '127.0.0.1', port: await freePort(), modelsDir: dir, logLevel: 'silent' }, handleSignals: false });
  return {
    env: backend === 'v2' ? { V2_URL: peer.url } : { TFSERVING_URL: peer.url, TFSERVING_PROTOCOL: 'rest' },
    stop: async () => {
      await peer.shutdown();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
