/**
 * digits is served the tfserving way: this logic app validates and builds the tensors, the
 * graph service runs the network. TF Serving cannot run on these machines, so the graph
 * peer is a modelyard app serving the same network (as ONNX) through TF Serving's REST
 * and gRPC APIs, on real sockets; the logic app is the real process, over each transport.
 */
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type RunningServer } from '@modelyard/runtime';
import { freePort, loadReference, maxAbsDiff, startAppProcess, WORKSPACE_MODELS, type AppProcess, type Reference } from '@modelyard/runtime/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let peer: RunningServer;
let ref: Reference;

beforeAll(async () => {
  ref = await loadReference('digits', 1);
  const dir = await mkdtemp(join(tmpdir(), 'digits-graph-'));
  await mkdir(join(dir, 'digits', '1'), { recursive: true });
  await cp(join(WORKSPACE_MODELS, 'digits', '1', 'model.onnx'), join(dir, 'digits', '1', 'model.onnx'));
  await writeFile(join(dir, 'digits', 'model.json'), JSON.stringify({ name: 'digits', backend: 'onnx' }));
  peer = await serve({
    model: 'digits',
    env: { host: '127.0.0.1', port: await freePort(), grpcPort: await freePort(), modelsDir: dir, logLevel: 'silent' },
    handleSignals: false,
  });
});
afterAll(() => peer?.shutdown());

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe.each(['rest', 'grpc'] as const)('digits through its graph service over %s', (protocol) => {
  let app: AppProcess;
  beforeAll(async () => {
    app = await startAppProcess('digits', { TFSERVING_URL: peer.url, TFSERVING_GRPC: `127.0.0.1:${peer.grpcPort}`, TFSERVING_PROTOCOL: protocol });
  });
  afterAll(async () => {
    if (app.child.exitCode === null) await app.stop();
  });

  it('/get_score takes 28×28 images as records and answers like the trained network', async () => {
    const res = await post(`${app.url}/get_score`, { data: ref.records });
    expect(res.status).toBe(200);
    const data = ((await res.json()) as { data: { dense_1: Record<string, number> }[] }).data;
    expect(maxAbsDiff(data.map((d) => Object.values(d.dense_1)), ref.outputs['dense_1'])).toBeLessThan(1e-5);
  });

  it('TF Serving predict and Open Inference infer give the same probabilities', async () => {
    const images = ref.records.slice(0, 20).map((r) => r['image'] as number[][]);
    const v1 = await post(`${app.url}/v1/models/digits:predict`, { instances: images });
    expect(v1.status).toBe(200);
    expect(maxAbsDiff(((await v1.json()) as { predictions: number[][] }).predictions, ref.outputs['dense_1']!.slice(0, 20))).toBeLessThan(1e-5);
    const v2 = await post(`${app.url}/v2/models/digits/infer`, { inputs: [{ name: 'flatten_input', shape: [20, 28, 28], datatype: 'FP32', data: images.flat(2) }] });
    expect(v2.status).toBe(200);
    const out = ((await v2.json()) as { outputs: { name: string; shape: number[]; data: number[] }[] }).outputs[0]!;
    expect(out.shape).toEqual([20, 10]);
    expect(maxAbsDiff(out.data, ref.outputs['dense_1']!.slice(0, 20).flat())).toBeLessThan(1e-5);
  });

  it('refuses a malformed image in the logic app with a clear 400', async () => {
    const res = await post(`${app.url}/get_score`, { data: [{ image: [[0, 1]] }] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('field "image" of record 0 must hold 784 values (shape [28, 28]), got 2');
  });

  it('exits 0 on SIGTERM', async () => {
    expect(await app.stop()).toBe(0);
  });
});
