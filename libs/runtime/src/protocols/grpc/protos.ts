import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';

// src/protocols/grpc and dist/protocols/grpc sit at the same depth under libs/runtime.
const PROTO_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../proto');
const FILES = ['serving.proto', 'tensorflow.proto'];

/** snake_case fields and int64 as strings, as TF Serving's clients see them. */
const definition = protoLoader.loadSync(FILES, { includeDirs: [PROTO_DIR], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
const loaded = grpc.loadPackageDefinition(definition) as unknown as {
  tensorflow: { serving: { PredictionService: grpc.ServiceClientConstructor; ModelService: grpc.ServiceClientConstructor } };
};

export const PredictionService = loaded.tensorflow.serving.PredictionService;
export const ModelService = loaded.tensorflow.serving.ModelService;

/** For the Any-packed SignatureDefMap in GetModelMetadata, which grpc cannot pack itself. */
const root = new protobuf.Root();
// protobufjs ships google/protobuf/*; our own imports resolve against the proto folder.
root.resolvePath = (_origin, target) => (target.startsWith('google/') || isAbsolute(target) ? target : join(PROTO_DIR, target));
root.loadSync(FILES.map((f) => join(PROTO_DIR, f)), { keepCase: true });
export const SignatureDefMap = root.lookupType('tensorflow.serving.SignatureDefMap');
export const SIGNATURE_DEF_MAP_URL = 'type.googleapis.com/tensorflow.serving.SignatureDefMap';

export interface TensorShapeProto {
  dim: { size: string; name?: string }[];
  unknown_rank?: boolean;
}

export interface TensorProto {
  dtype: string;
  tensor_shape?: TensorShapeProto;
  tensor_content?: Buffer;
  float_val?: number[];
  double_val?: number[];
  int_val?: number[];
  string_val?: Buffer[];
  int64_val?: string[];
  bool_val?: boolean[];
  uint32_val?: number[];
  uint64_val?: string[];
}

export interface ModelSpec {
  name: string;
  version?: { value: string } | null;
  version_label?: string;
  version_choice?: 'version' | 'version_label';
  signature_name?: string;
}
