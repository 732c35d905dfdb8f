/**
 * Every registered backend passes the one contract (testing/backend-contract.ts): onnx in
 * its three execution modes (worker pool, onnxruntime inline, the interpreter), tfjs, tfserving and v2 against a real peer on a real socket (a
 * modelyard app serving iris), and the test-only fake backend.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { serve, type RunningServer } from '../server/serve.js';
import { freePort } from '../testing/app-process.js';
import { describeBackendContract, type ContractSubject } from '../testing/backend-contract.js';
import { fakeBackend } from '../testing/fake-backend/descriptor.js';
import { silentLogger, WORKSPACE_MODELS } from '../testing/fixtures.js';
import type { NamedTensors } from '../tensor/tensor.js';
import { loadBackend } from './load-backend.js';
import { parseModelConfig } from './model-config.js';
import { registerBackend } from './registry.js';

registerBackend(fakeBackend);

/** Iris rows: row i is the same whatever the batch. */
const irisSample = (batch: number): NamedTensors => ({
  features: { dtype: 'float32', shape: [batch, 4], data: Float32Array.from({ length: batch * 4 }, (_, k) => 1 + ((k * 7) % 13) / 3) },
});
const irisFault: NamedTensors = { features: { dtype: 'float32', shape: [2, 3], data: new Float32Array(6) } };
const carsSample = (batch: number): NamedTensors => ({
  car: { dtype: 'float32', shape: [batch, 5], data: Float32Array.from({ length: batch * 5 }, (_, k) => [4, 120, 90, 2500, 15][k % 5]! + Math.floor(k / 5)) },
});

async function subject(model: string, version: number, versionDir: string, config: Record<string, unknown>, rest: Omit<ContractSubject, 'backend'>): Promise<ContractSubject> {
  const parsed = parseModelConfig(`${model}/model.json`, JSON.stringify({ name: model, ...config }));
  const backend = await loadBackend({ versionDir, modelName: model, version, logger: silentLogger() }, parsed);
  return { backend, ...rest };
}

const iris = { sample: irisSample, callerFault: irisFault, inputs: ['features'], outputs: ['probabilities', 'class'] };

describeBackendContract('onnx (worker pool)', () => subject('iris', 1, join(WORKSPACE_MODELS, 'iris/1'), { onnx: { workers: 2 } }, iris));
describeBackendContract('onnx (inline)', () => subject('iris', 1, join(WORKSPACE_MODELS, 'iris/1'), { onnx: { execution: 'inline' } }, iris));
describeBackendContract('onnx (interpreter)', () => subject('iris', 1, join(WORKSPACE_MODELS, 'iris/1'), { onnx: { execution: 'interpreter' } }, iris));
describeBackendContract('tfjs', () =>
  subject('cars', 1, join(WORKSPACE_MODELS, 'cars/1'), { backend: 'tfjs' }, {
    sample: carsSample,
    callerFault: { car: { dtype: 'float32', shape: [2, 3], data: new Float32Array(6) } },
    inputs: ['car'],
    outputs: ['mpg'],
    tolerance: 1e-4,
  }),
);

let peer: RunningServer;
let peerPort: number;
let peerGrpcPort: number;
beforeAll(async () => {
  [peerPort, peerGrpcPort] = [await freePort(), await freePort()];
  peer = await serve({ model: 'iris', env: { host: '127.0.0.1', port: peerPort, grpcPort: peerGrpcPort, modelsDir: WORKSPACE_MODELS, logLevel: 'silent' }, handleSignals: false });
});
afterAll(() => peer.shutdown());

const graphDir = () => mkdtemp(join(tmpdir(), 'contract-graph-'));
describeBackendContract('tfserving (REST, real peer)', async () =>
  subject('flowers', 1, await graphDir(), { backend: 'tfserving', tfserving: { url: `http://127.0.0.1:${peerPort}`, model: 'iris' } }, iris),
);
describeBackendContract('tfserving (gRPC, real peer)', async () =>
  subject('flowers', 1, await graphDir(), { backend: 'tfserving', tfserving: { protocol: 'grpc', grpc: `127.0.0.1:${peerGrpcPort}`, model: 'iris' } }, iris),
);
describeBackendContract('v2 (binary extension, real peer)', async () =>
  subject('flowers', 1, await graphDir(), { backend: 'v2', v2: { url: `http://127.0.0.1:${peerPort}`, model: 'iris' } }, iris),
);
describeBackendContract('v2 (JSON, real peer)', async () =>
  subject('flowers', 1, await graphDir(), { backend: 'v2', v2: { url: `http://127.0.0.1:${peerPort}`, model: 'iris', versions: 'latest', binary: 'never' } }, iris),
);

describeBackendContract('fake (test-only)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'contract-fake-'));
  await mkdir(join(dir, '1'));
  await writeFile(join(dir, '1', 'fake.json'), JSON.stringify({ scale: 3 }));
  return subject('fake', 1, join(dir, '1'), { backend: 'fake' }, {
    sample: (batch) => ({ x: { dtype: 'float32', shape: [batch, 2], data: Float32Array.from({ length: batch * 2 }, (_, k) => k) } }),
    callerFault: { x: { dtype: 'float32', shape: [1, 3], data: new Float32Array(3) } },
    inputs: ['x'],
    outputs: ['y', 'label'],
  });
});
