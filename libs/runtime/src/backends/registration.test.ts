/**
 * Adding a backend is one folder plus one registration line: the test-only fake backend
 * (testing/fake-backend/, registered below) is served through every protocol — TF Serving
 * REST, v2 (JSON and binary), legacy /get_score and TF Serving gRPC — with nothing else
 * changed in the runtime.
 */
import * as grpc from '@grpc/grpc-js';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PredictionService } from '../protocols/grpc/protos.js';
import { serve, type RunningServer } from '../server/serve.js';
import { freePort } from '../testing/app-process.js';
import { fakeBackend } from '../testing/fake-backend/descriptor.js';
import { registerBackend } from './registry.js';

registerBackend(fakeBackend); // the one line

let app: RunningServer;
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'toy-'));
  await mkdir(join(dir, 'toy', '1'), { recursive: true });
  await writeFile(join(dir, 'toy', '1', 'fake.json'), JSON.stringify({ scale: 2 }));
  await writeFile(
    join(dir, 'toy', 'model.json'),
    JSON.stringify({
      name: 'toy',
      backend: 'fake',
      fake: { big: 'large', threshold: 10 },
      inputs: [{ name: 'x', fields: ['a', 'b'] }],
      outputs: [{ name: 'label', role: 'label' }, { name: 'y' }],
      getScore: { output: 'label' },
    }),
  );
  app = await serve({ model: 'toy', env: { host: '127.0.0.1', port: await freePort(), grpcPort: await freePort(), modelsDir: dir, logLevel: 'silent' }, handleSignals: false });
});
afterAll(() => app.shutdown());

const post = (path: string, body: unknown) => fetch(`${app.url}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('a backend added by registration', () => {
  it('is in model.json, the v2 metadata and the status API', async () => {
    const meta = (await (await fetch(`${app.url}/v2/models/toy`)).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({ platform: 'modelyard_fake', inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 2] }] });
    const status = (await (await fetch(`${app.url}/v1/models/toy`)).json()) as { model_version_status: { state: string }[] };
    expect(status.model_version_status[0]?.state).toBe('AVAILABLE');
  });

  it('TF Serving REST', async () => {
    const res = await post('/v1/models/toy:predict', { instances: [[1, 2], [3, 4]] });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { predictions: unknown }).predictions).toEqual([
      { label: 'small', y: [2, 4] },
      { label: 'large', y: [6, 8] },
    ]);
  });

  it('v2 JSON and binary', async () => {
    const json = await post('/v2/models/toy/infer', { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: [5, 1] }] });
    expect(((await json.json()) as { outputs: unknown }).outputs).toEqual([
      { name: 'y', datatype: 'FP32', shape: [1, 2], data: [10, 2] },
      { name: 'label', datatype: 'BYTES', shape: [1], data: ['large'] },
    ]);
    const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], parameters: { binary_data_size: 8 } }], outputs: [{ name: 'y', parameters: { binary_data: true } }] }));
    const res = await fetch(`${app.url}/v2/models/toy/infer`, {
      method: 'POST',
      body: Buffer.concat([header, Buffer.from(Float32Array.from([0.5, 1.5]).buffer)]),
      headers: { 'inference-header-content-length': String(header.length) },
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const length = Number(res.headers.get('inference-header-content-length'));
    expect(JSON.parse(bytes.toString('utf8', 0, length)).outputs).toEqual([{ name: 'y', datatype: 'FP32', shape: [1, 2], parameters: { binary_data_size: 8 } }]);
    const tail = Buffer.from(bytes.subarray(length)); // a copy, aligned for the typed array
    expect([...new Float32Array(tail.buffer, tail.byteOffset, 2)]).toEqual([1, 3]);
  });

  it('legacy /get_score, with validation in front of the backend', async () => {
    const res = await post('/get_score', { data: [{ a: 1, b: 1 }, { a: 4, b: 4 }] });
    expect(await res.json()).toEqual({ msg: 'Successful!', code: 200, data: ['small', 'large'] });
    const bad = await post('/get_score', { data: [{ a: 'x', b: 1 }] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/field "a" of record 0 must be a number/);
  });

  it('TF Serving gRPC', async () => {
    const client = new PredictionService(`127.0.0.1:${app.grpcPort}`, grpc.credentials.createInsecure()) as grpc.Client & Record<string, (...args: unknown[]) => void>;
    const reply = await new Promise<{ outputs: Record<string, { float_val: number[]; string_val: Buffer[] }> }>((resolve, reject) =>
      client['Predict']!(
        { model_spec: { name: 'toy' }, inputs: { x: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 1 }, { size: 2 }] }, float_val: [3, 3] } } },
        (err: grpc.ServiceError | null, r: never) => (err ? reject(err) : resolve(r)),
      ),
    );
    client.close();
    expect(reply.outputs['y']!.float_val).toEqual([6, 6]);
    expect(reply.outputs['label']!.string_val.map(String)).toEqual(['large']);
  });
});
