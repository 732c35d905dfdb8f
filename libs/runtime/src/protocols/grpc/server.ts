import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { RequestScope } from '../../dataplane/request-scope.js';
import { invalidArgument, notFound, ServingError } from '../../errors.js';
import type { ServedModel } from '../../inference/served-model.js';
import type { VersionSelector } from '../../repository/model-repository.js';
import { inputSpecsByName, type Signature, type Tensor, type TensorSpec } from '../../tensor/tensor.js';
import { dropUnfilled, fastObject } from '../../tensor/fast-object.js';
import type { ProtocolContext } from '../shared/context.js';
import { TF_DTYPES } from '../tfserving/dtype-names.js';
import { tfServingError } from '../tfserving/errors.js';
import { ModelService, PredictionService, SIGNATURE_DEF_MAP_URL, SignatureDefMap, type ModelSpec, type TensorProto } from './protos.js';
import { GRPC_STATUS, toGrpcError } from './status-codes.js';
import { fromTensorProto, toTensorProto } from './tensor-proto.js';

const sentRaw = (inputs: Record<string, TensorProto> | undefined): boolean => Object.values(inputs ?? {}).some((p) => (p.tensor_content?.length ?? 0) > 0);

const STATE_NUMBERS = { START: 'START', LOADING: 'LOADING', AVAILABLE: 'AVAILABLE', UNLOADING: 'UNLOADING', END: 'END' } as const;

function selectorOf(spec: ModelSpec): VersionSelector {
  if (spec.version_choice === 'version' && spec.version) return { version: Number(spec.version.value) };
  if (spec.version_choice === 'version_label' && spec.version_label) return { label: spec.version_label };
  return {};
}

function checkSignatureName(spec: ModelSpec): void {
  if (spec.signature_name && spec.signature_name !== 'serving_default') throw invalidArgument(`Serving signature name: "${spec.signature_name}" not found in signature def`);
}

const tensorInfo = (s: TensorSpec) => ({
  name: s.name,
  dtype: TF_DTYPES[s.dtype].enum,
  tensor_shape: s.shape ? { dim: s.shape.map((d) => ({ size: d })) } : { unknown_rank: true },
});

function signatureDefMap(signature: Signature): Buffer {
  const message = SignatureDefMap.fromObject({
    signature_def: {
      serving_default: {
        inputs: Object.fromEntries(signature.inputs.map((s) => [s.name, tensorInfo(s)])),
        outputs: Object.fromEntries(signature.outputs.map((s) => [s.name, tensorInfo(s)])),
        method_name: 'tensorflow/serving/predict',
      },
    },
  });
  return Buffer.from(SignatureDefMap.encode(message).finish());
}

/**
 * TF Serving's gRPC API over any backend, so existing TF Serving gRPC clients (and the
 * tfserving backend of another app) can call a modelyard app: PredictionService.Predict
 * and GetModelMetadata, ModelService.GetModelStatus.
 */
export function createGrpcServer(ctx: ProtocolContext, logger: Logger): grpc.Server {
  const server = new grpc.Server();
  const dp = ctx.dataPlane;
  const model = (spec: ModelSpec | undefined): ServedModel => {
    if (!spec?.name) throw invalidArgument('Missing ModelSpec');
    return dp.model(spec.name, selectorOf(spec));
  };

  /** Unary handler over the data plane: errors in TF Serving's words as gRPC statuses; metrics recorded by the data plane. */
  function unary<Req, Res>(method: string, handle: (req: Req, scope: RequestScope) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
    return (call, callback) => {
      const scope = new RequestScope(`grpc:${method}`, randomUUID(), logger);
      handle(call.request, scope).then(
        (reply) => {
          dp.finish(scope, 'OK');
          callback(null, reply);
        },
        (err: unknown) => {
          const { message } = tfServingError(err, ctx.bodyLimit);
          const error = toGrpcError(err instanceof ServingError ? new ServingError(err.code, message) : err);
          dp.finish(scope, Object.keys(GRPC_STATUS).find((k) => GRPC_STATUS[k as keyof typeof GRPC_STATUS] === error.code) ?? 'UNKNOWN');
          if (!(err instanceof ServingError) || err.httpStatus >= 500) scope.log.error({ err, method }, 'gRPC request failed');
          callback(error);
        },
      );
    };
  }

  server.addService(PredictionService.service, {
    Predict: unary<{ model_spec: ModelSpec; inputs: Record<string, TensorProto>; output_filter: string[] }, unknown>('Predict', async (req, scope) => {
      const served = model(req.model_spec);
      scope.model = served.name;
      checkSignatureName(req.model_spec);
      dp.admit(scope, served.name);
      return dp.infer(scope, {
        model: served,
        selector: selectorOf(req.model_spec),
        decode(servable) {
          const specs = servable.signature.inputs;
          // Filled by name into an object laid out for the signature (tensor/fast-object.ts).
          const tensors = fastObject<Tensor | null>(specs);
          for (const [name, proto] of Object.entries(req.inputs ?? {})) {
            const spec = inputSpecsByName(servable.signature).get(name);
            if (!spec) throw invalidArgument(`input "${name}" is not in the signature (${specs.map((s) => s.name).join(', ')})`);
            tensors[name] = fromTensorProto(name, proto, spec.dtype);
          }
          return { input: { kind: 'tensors' as const, tensors: dropUnfilled(tensors) }, outputs: req.output_filter?.length ? req.output_filter : undefined };
        },
        encode: (outputs, servable) => ({
          model_spec: { name: served.name, version: { value: String(servable.version) }, signature_name: 'serving_default' },
          // A caller that sends raw tensor_content gets raw tensor_content back.
          outputs: Object.fromEntries(Object.entries(outputs).map(([name, t]) => [name, toTensorProto(t, sentRaw(req.inputs))])),
        }),
      });
    }),
    GetModelMetadata: unary<{ model_spec: ModelSpec; metadata_field: string[] }, unknown>('GetModelMetadata', async (req, scope) => {
      const served = model(req.model_spec);
      scope.model = served.name;
      if (!req.metadata_field?.includes('signature_def')) throw invalidArgument('Metadata field signature_def must be requested');
      const servable = await dp.resolveLoaded(served, selectorOf(req.model_spec));
      scope.version = servable.version;
      return {
        model_spec: { name: served.name, version: { value: String(servable.version) } },
        metadata: { signature_def: { type_url: SIGNATURE_DEF_MAP_URL, value: signatureDefMap(servable.signature) } },
      };
    }),
  });

  server.addService(ModelService.service, {
    GetModelStatus: unary<{ model_spec: ModelSpec }, unknown>('GetModelStatus', async (req, scope) => {
      const name = req.model_spec?.name ?? '';
      const served = dp.models.find(name);
      if (!served) throw notFound(`Could not find any versions of model ${name}`);
      scope.model = served.name;
      const selector = selectorOf(req.model_spec);
      let versions = dp.status(served);
      if (selector.version !== undefined) {
        versions = versions.filter((v) => v.version === selector.version);
        if (versions.length === 0) throw notFound(`Could not find version ${selector.version} of model ${served.name}`);
      }
      return {
        model_version_status: versions.map((v) => ({
          version: String(v.version),
          state: STATE_NUMBERS[v.state],
          status: v.error ? { error_code: 2, error_message: v.error } : { error_code: 0, error_message: '' },
        })),
      };
    }),
  });
  return server;
}

/** Binds on host:port (0 = any free port); resolves to the port bound. */
export function listenGrpc(server: grpc.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
  });
}
