import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type RunningServer } from '../server/serve.js';
import { freePort } from './app-process.js';
import { copyModel, WORKSPACE_MODELS } from './fixtures.js';

/** The workspace's example models, each served by a real app on 127.0.0.1. */
export const EXAMPLE_MODELS = ['penguins', 'iris', 'cars', 'digits'] as const;

export interface ExampleApp {
  url: string;
  server: RunningServer;
  close(): Promise<void>;
}

const listen = async (model: string, modelsDir: string) =>
  serve({ model, env: { host: '127.0.0.1', port: await freePort(), modelsDir, logLevel: 'silent' }, handleSignals: false });

/**
 * One example app. digits is tfserving-backed and TF Serving cannot run here, so its graph
 * service is a second real app serving the same network (ONNX) over TF Serving's REST API.
 */
export async function startExampleApp(model: string): Promise<ExampleApp> {
  if (model !== 'digits') {
    const server = await listen(model, WORKSPACE_MODELS);
    return { url: server.url, server, close: () => server.shutdown() };
  }
  const graphDir = await mkdtemp(join(tmpdir(), 'digits-graph-'));
  await mkdir(join(graphDir, 'digits', '1'), { recursive: true });
  await cp(join(WORKSPACE_MODELS, 'digits', '1', 'model.onnx'), join(graphDir, 'digits', '1', 'model.onnx'));
  await writeFile(join(graphDir, 'digits', 'model.json'), JSON.stringify({ name: 'digits', backend: 'onnx' }));
  const peer = await listen('digits', graphDir);
  const logicDir = await copyModel('digits', [1], { tfserving: { model: 'digits', url: peer.url } });
  const server = await listen('digits', logicDir);
  return {
    url: server.url,
    server,
    close: async () => {
      await server.shutdown();
      await peer.shutdown();
      await Promise.all([rm(graphDir, { recursive: true, force: true }), rm(logicDir, { recursive: true, force: true })]);
    },
  };
}

/**
 * A yard of `count` small models in one app: copies of iris named yard-000, yard-001, ...,
 * run inline (no worker threads), for pages that must stay usable with many models.
 */
export async function startYardApp(count: number): Promise<ExampleApp & { names: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'modelyard-yard-'));
  const config = JSON.parse(await readFile(join(WORKSPACE_MODELS, 'iris', 'model.json'), 'utf8')) as Record<string, unknown>;
  const names = Array.from({ length: count }, (_, i) => `yard-${String(i).padStart(3, '0')}`);
  for (const name of names) {
    await mkdir(join(dir, name, '1'), { recursive: true });
    await cp(join(WORKSPACE_MODELS, 'iris', '1', 'model.onnx'), join(dir, name, '1', 'model.onnx'));
    await writeFile(join(dir, name, 'model.json'), JSON.stringify({ ...config, name, onnx: { execution: 'inline' }, pollSeconds: 60 }));
  }
  const server = await serve({ model: names, env: { host: '127.0.0.1', port: await freePort(), modelsDir: dir, logLevel: 'silent' }, handleSignals: false });
  return {
    url: server.url,
    server,
    names,
    close: async () => {
      await server.shutdown();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
