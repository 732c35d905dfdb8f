import * as grpc from '@grpc/grpc-js';
import { ServingError } from '../../errors.js';
import { ModelService, PredictionService, SignatureDefMap, type TensorProto } from '../../protocols/grpc/protos.js';
import { fromGrpcError } from '../../protocols/grpc/status-codes.js';
import { fromTensorProto, toTensorProto } from '../../protocols/grpc/tensor-proto.js';
import type { NamedTensors, Signature } from '../../tensor/tensor.js';
import type { GraphClient } from '../remote/remote-backend.js';
import { withRetries } from '../remote/retries.js';
import type { ClientOptions } from './client-options.js';
import { signatureFromMetadata } from './signature-from-metadata.js';

type Unary = (request: unknown, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, reply: unknown) => void) => void;

/**
 * TF Serving's gRPC API as a client, over one channel shared by both services: grpc-js
 * keeps it connected and multiplexes every call on it.
 */
export class TfServingGrpcClient implements GraphClient {
  private readonly prediction: grpc.Client;
  private readonly models: grpc.Client;

  constructor(private readonly options: ClientOptions) {
    this.prediction = new PredictionService(options.address, grpc.credentials.createInsecure());
    this.models = new ModelService(options.address, grpc.credentials.createInsecure(), { channelOverride: this.prediction.getChannel() });
  }

  private spec() {
    return { name: this.options.model, version: { value: String(this.options.version) }, signature_name: 'serving_default' };
  }

  private call(client: grpc.Client, method: string, request: unknown): Promise<unknown> {
    return withRetries(
      () =>
        new Promise((resolve, reject) => {
          const fn = (client as unknown as Record<string, Unary>)[method]!.bind(client);
          fn(request, { deadline: Date.now() + this.options.timeoutMs }, (err, reply) =>
            err ? reject(fromGrpcError(err, `the graph service at ${this.options.address}`)) : resolve(reply),
          );
        }),
      this.options.retries,
      this.options.backoffMs,
    );
  }

  async signature(): Promise<Signature> {
    const reply = (await this.call(this.prediction, 'GetModelMetadata', { model_spec: this.spec(), metadata_field: ['signature_def'] })) as {
      metadata: Record<string, { type_url: string; value: Buffer }>;
    };
    const any = reply.metadata['signature_def'];
    if (!any) throw new ServingError('FAILED_PRECONDITION', 'the graph service returned no signature_def metadata');
    const map = SignatureDefMap.toObject(SignatureDefMap.decode(any.value), { longs: String, enums: String, defaults: true });
    // Same shape as the REST metadata once unpacked.
    return signatureFromMetadata({ metadata: { signature_def: map } });
  }

  async ready(): Promise<boolean> {
    const reply = (await this.call(this.models, 'GetModelStatus', { model_spec: this.spec() })) as { model_version_status: { state: string }[] };
    return reply.model_version_status[0]?.state === 'AVAILABLE';
  }

  async infer(inputs: NamedTensors, signature: Signature, outputs?: readonly string[]): Promise<NamedTensors> {
    const reply = (await this.call(this.prediction, 'Predict', {
      model_spec: this.spec(),
      inputs: Object.fromEntries(Object.entries(inputs).map(([name, t]) => [name, toTensorProto(t)])),
      output_filter: outputs ? [...outputs] : [],
    })) as { outputs: Record<string, TensorProto> };
    const result: NamedTensors = {};
    for (const spec of signature.outputs.filter((o) => !outputs || outputs.includes(o.name))) {
      const proto = reply.outputs[spec.name];
      if (!proto) throw new ServingError('INTERNAL', `the graph service did not return output "${spec.name}"`);
      result[spec.name] = fromTensorProto(spec.name, proto, spec.dtype);
    }
    return result;
  }

  close(): void {
    this.prediction.close();
    this.models.close();
  }
}
