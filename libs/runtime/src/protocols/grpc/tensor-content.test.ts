/**
 * TF Serving gRPC Predict with raw tensor_content, over a real gRPC server on a real socket
 * and the real iris model: raw in → raw out, equal to the typed-field answer and to
 * scikit-learn's references; a tensor_content of the wrong size is INVALID_ARGUMENT.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelServer } from '../../server/model-server.js';
import { loadReference, maxAbsDiff, silentLogger, startTestServer, type Reference } from '../../testing/fixtures.js';
import { PredictionService, type TensorProto } from './protos.js';
import { createGrpcServer, listenGrpc } from './server.js';

let server: ModelServer;
let grpcServer: grpc.Server;
let client: grpc.Client;
let iris: Reference;

beforeAll(async () => {
  server = await startTestServer({ models: ['iris'] });
  iris = await loadReference('iris', 1);
  grpcServer = createGrpcServer(server.context, silentLogger());
  const port = await listenGrpc(grpcServer, '127.0.0.1', 0);
  client = new PredictionService(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client.close();
  await new Promise<void>((r) => grpcServer.tryShutdown(() => r()));
  await server.close();
});

type PredictReply = { outputs: Record<string, TensorProto> };
const predict = (inputs: Record<string, TensorProto>) =>
  new Promise<PredictReply>((resolve, reject) =>
    (client as unknown as { Predict: (req: unknown, cb: (err: grpc.ServiceError | null, res: PredictReply) => void) => void }).Predict(
      { model_spec: { name: 'iris' }, inputs },
      (err, res) => (err ? reject(err) : resolve(res)),
    ),
  );

const features = () => iris.records.flatMap((r) => [r['sepal_length'], r['sepal_width'], r['petal_length'], r['petal_width']] as number[]);
const shape = () => ({ dim: [{ size: String(iris.records.length) }, { size: '4' }] });
const floats = (b: Buffer) => Array.from(new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)));

describe('gRPC Predict with tensor_content', () => {
  it('raw tensor_content in, raw tensor_content out, equal to the typed-field answer and the references', async () => {
    const raw = await predict({ features: { dtype: 'DT_FLOAT', tensor_shape: shape(), tensor_content: Buffer.from(new Float32Array(features()).buffer) } });
    const probs = raw.outputs['probabilities']!;
    expect(probs.tensor_content!.length).toBe(iris.records.length * 3 * 4);
    expect(probs.float_val ?? []).toEqual([]);
    expect(maxAbsDiff(floats(probs.tensor_content!), iris.outputs['probabilities']!.flat())).toBeLessThan(1e-5);
    const classes = raw.outputs['class']!.tensor_content!;
    expect(Array.from(new BigInt64Array(classes.buffer.slice(classes.byteOffset, classes.byteOffset + classes.length)), Number)).toEqual(iris.outputs['class']);

    const typed = await predict({ features: { dtype: 'DT_FLOAT', tensor_shape: shape(), float_val: features() } });
    expect(typed.outputs['probabilities']!.tensor_content?.length ?? 0).toBe(0);
    expect(typed.outputs['probabilities']!.float_val).toEqual(floats(probs.tensor_content!));
  });

  it('a tensor_content whose size does not fit the shape is INVALID_ARGUMENT naming both', async () => {
    const short = Buffer.from(new Float32Array(features().slice(0, 10)).buffer);
    const err = await predict({ features: { dtype: 'DT_FLOAT', tensor_shape: shape(), tensor_content: short } }).catch((e: grpc.ServiceError) => e);
    expect((err as grpc.ServiceError).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((err as grpc.ServiceError).details).toMatch(/tensor_content holds 40 bytes, shape \[150,4\] needs 2400/);
  });
});
