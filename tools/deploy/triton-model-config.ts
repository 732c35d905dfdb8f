import { create, createFileRegistry, type DescMessage } from '@bufbuild/protobuf';
import { fromText } from '@bufbuild/protobuf/txtpb';
import { FileDescriptorProtoSchema, FieldDescriptorProto_Label as Label, FieldDescriptorProto_Type as Type } from '@bufbuild/protobuf/wkt';

/**
 * The subset of Triton's model_config.proto (package inference) that the generated
 * config.pbtxt files use, written from the public field numbers. Parsing a file against it
 * proves Triton would read it: a misspelled field, a wrong type or an unknown enum value fails.
 */
const field = (name: string, number: number, type: Type, extra: Record<string, unknown> = {}) => ({ name, number, type, label: Label.OPTIONAL, jsonName: name, ...extra });
const repeated = { label: Label.REPEATED };
const message = (typeName: string) => ({ type: Type.MESSAGE, typeName: `.inference.${typeName}` });
const enumOf = (typeName: string) => ({ type: Type.ENUM, typeName: `.inference.${typeName}` });

const DATA_TYPES = ['INVALID', 'BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'STRING', 'BF16'];

const file = create(FileDescriptorProtoSchema, {
  name: 'modelyard/triton_model_config.proto',
  package: 'inference',
  syntax: 'proto3',
  enumType: [{ name: 'DataType', value: DATA_TYPES.map((t, number) => ({ name: `TYPE_${t}`, number })) }],
  messageType: [
    { name: 'ModelTensorReshape', field: [field('shape', 1, Type.INT64, repeated)] },
    {
      name: 'ModelInput',
      field: [
        field('name', 1, Type.STRING),
        field('data_type', 2, Type.ENUM, enumOf('DataType')),
        field('dims', 4, Type.INT64, repeated),
        field('reshape', 5, Type.MESSAGE, message('ModelTensorReshape')),
        field('optional', 8, Type.BOOL),
      ],
    },
    {
      name: 'ModelOutput',
      field: [
        field('name', 1, Type.STRING),
        field('data_type', 2, Type.ENUM, enumOf('DataType')),
        field('dims', 3, Type.INT64, repeated),
        field('label_filename', 4, Type.STRING),
        field('reshape', 5, Type.MESSAGE, message('ModelTensorReshape')),
      ],
    },
    {
      name: 'ModelVersionPolicy',
      field: [
        field('latest', 1, Type.MESSAGE, { ...message('ModelVersionPolicy.Latest'), oneofIndex: 0 }),
        field('all', 2, Type.MESSAGE, { ...message('ModelVersionPolicy.All'), oneofIndex: 0 }),
        field('specific', 3, Type.MESSAGE, { ...message('ModelVersionPolicy.Specific'), oneofIndex: 0 }),
      ],
      oneofDecl: [{ name: 'policy_choice' }],
      nestedType: [
        { name: 'Latest', field: [field('num_versions', 1, Type.UINT32)] },
        { name: 'All' },
        { name: 'Specific', field: [field('versions', 1, Type.INT64, repeated)] },
      ],
    },
    {
      name: 'ModelDynamicBatching',
      field: [field('preferred_batch_size', 1, Type.INT32, repeated), field('max_queue_delay_microseconds', 2, Type.UINT64), field('preserve_ordering', 3, Type.BOOL)],
    },
    {
      name: 'ModelInstanceGroup',
      field: [field('name', 1, Type.STRING), field('count', 2, Type.INT32), field('gpus', 3, Type.INT32, repeated), field('kind', 4, Type.ENUM, enumOf('ModelInstanceGroup.Kind'))],
      enumType: [{ name: 'Kind', value: ['KIND_AUTO', 'KIND_GPU', 'KIND_CPU', 'KIND_MODEL'].map((name, number) => ({ name, number })) }],
    },
    {
      name: 'ModelConfig',
      field: [
        field('name', 1, Type.STRING),
        field('platform', 2, Type.STRING),
        field('version_policy', 3, Type.MESSAGE, message('ModelVersionPolicy')),
        field('max_batch_size', 4, Type.INT32),
        field('input', 5, Type.MESSAGE, { ...message('ModelInput'), ...repeated }),
        field('output', 6, Type.MESSAGE, { ...message('ModelOutput'), ...repeated }),
        field('instance_group', 7, Type.MESSAGE, { ...message('ModelInstanceGroup'), ...repeated }),
        field('default_model_filename', 8, Type.STRING),
        field('dynamic_batching', 11, Type.MESSAGE, { ...message('ModelDynamicBatching'), oneofIndex: 0 }),
        field('backend', 17, Type.STRING),
      ],
      // sequence_batching (13) and ensemble_scheduling (15) share the oneof; not emitted here.
      oneofDecl: [{ name: 'scheduling_choice' }],
    },
  ],
});

const registry = createFileRegistry(file, () => undefined);
export const TritonModelConfigSchema = registry.getMessage('inference.ModelConfig') as DescMessage;

export interface TritonTensor {
  name: string;
  dataType: number;
  dims: bigint[];
  reshape?: { shape: bigint[] };
}

export interface TritonModelConfig {
  name: string;
  platform: string;
  maxBatchSize: number;
  versionPolicy?: { policyChoice: { case?: string; value?: { numVersions?: number } } };
  input: TritonTensor[];
  output: TritonTensor[];
  instanceGroup: { kind: number; count: number }[];
  schedulingChoice: { case?: string; value?: { maxQueueDelayMicroseconds?: bigint } };
}

/** Parses config.pbtxt (protobuf text format) as Triton's ModelConfig. */
export const parseTritonConfig = (text: string): TritonModelConfig => fromText(TritonModelConfigSchema, text) as unknown as TritonModelConfig;

/** The DataType enum's names, for readable assertions. */
export const dataTypeName = (n: number): string => `TYPE_${DATA_TYPES[n]}`;
