import { create, createFileRegistry, type DescMessage } from '@bufbuild/protobuf';
import { fromText } from '@bufbuild/protobuf/txtpb';
import { FileDescriptorProtoSchema, FieldDescriptorProto_Label as Label, FieldDescriptorProto_Type as Type } from '@bufbuild/protobuf/wkt';

/**
 * The subset of TF Serving's model_server_config.proto (and file_system_storage_path_source
 * .proto) that models.config files use, written from the public field numbers. Parsing a
 * file against it proves TF Serving would read it: unknown fields and wrong types fail.
 */
const field = (name: string, number: number, type: Type, extra: Record<string, unknown> = {}) => ({
  name,
  number,
  type,
  label: Label.OPTIONAL,
  jsonName: name,
  ...extra,
});
const message = (typeName: string) => ({ type: Type.MESSAGE, typeName: `.tensorflow.serving.${typeName}` });

const file = create(FileDescriptorProtoSchema, {
  name: 'modelyard/model_server_config.proto',
  package: 'tensorflow.serving',
  syntax: 'proto3',
  messageType: [
    {
      name: 'ServableVersionPolicy',
      field: [
        field('latest', 100, Type.MESSAGE, { ...message('ServableVersionPolicy.Latest'), oneofIndex: 0 }),
        field('all', 101, Type.MESSAGE, { ...message('ServableVersionPolicy.All'), oneofIndex: 0 }),
        field('specific', 102, Type.MESSAGE, { ...message('ServableVersionPolicy.Specific'), oneofIndex: 0 }),
      ],
      oneofDecl: [{ name: 'policy_choice' }],
      nestedType: [
        { name: 'Latest', field: [field('num_versions', 1, Type.UINT32)] },
        { name: 'All' },
        { name: 'Specific', field: [field('versions', 1, Type.INT64, { label: Label.REPEATED })] },
      ],
    },
    {
      name: 'ModelConfig',
      field: [
        field('name', 1, Type.STRING),
        field('base_path', 2, Type.STRING),
        field('model_platform', 4, Type.STRING),
        field('model_version_policy', 7, Type.MESSAGE, message('ServableVersionPolicy')),
        field('version_labels', 8, Type.MESSAGE, { ...message('ModelConfig.VersionLabelsEntry'), label: Label.REPEATED }),
      ],
      nestedType: [
        {
          name: 'VersionLabelsEntry',
          field: [field('key', 1, Type.STRING), field('value', 2, Type.INT64)],
          options: { mapEntry: true },
        },
      ],
      reservedRange: [{ start: 5, end: 6 }, { start: 9, end: 10 }],
    },
    { name: 'ModelConfigList', field: [field('config', 1, Type.MESSAGE, { ...message('ModelConfig'), label: Label.REPEATED })] },
    {
      name: 'ModelServerConfig',
      field: [field('model_config_list', 1, Type.MESSAGE, { ...message('ModelConfigList'), oneofIndex: 0 })],
      oneofDecl: [{ name: 'config' }],
    },
  ],
});

const registry = createFileRegistry(file, () => undefined);
export const ModelServerConfigSchema = registry.getMessage('tensorflow.serving.ModelServerConfig') as DescMessage;

export interface ParsedModelConfig {
  name: string;
  basePath: string;
  modelPlatform: string;
  policy: string | undefined;
  versionLabels: Record<string, bigint>;
}

/** Parses models.config (protobuf text format) the way TF Serving does. */
export function parseModelServerConfig(text: string): ParsedModelConfig[] {
  const config = fromText(ModelServerConfigSchema, text) as unknown as {
    config: { case: string; value: { config: { name: string; basePath: string; modelPlatform: string; modelVersionPolicy?: { policyChoice: { case?: string } }; versionLabels: Record<string, bigint> }[] } };
  };
  if (config.config.case !== 'modelConfigList') throw new Error('models.config has no model_config_list');
  return config.config.value.config.map((c) => ({
    name: c.name,
    basePath: c.basePath,
    modelPlatform: c.modelPlatform,
    policy: c.modelVersionPolicy?.policyChoice.case,
    versionLabels: c.versionLabels,
  }));
}
