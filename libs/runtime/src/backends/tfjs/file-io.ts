import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { io } from '@tensorflow/tfjs';

interface ModelJson {
  format?: string;
  modelTopology: unknown;
  weightsManifest: { paths: string[]; weights: io.WeightsManifestEntry[] }[];
  signature?: unknown;
  userDefinedMetadata?: Record<string, unknown>;
  modelInitializer?: unknown;
}

/**
 * A model.json and its weight files as tfjs ModelArtifacts, read with fs: pure tfjs has
 * no file:// loader (only tfjs-node does).
 */
export async function readModelArtifacts(modelJsonPath: string): Promise<io.ModelArtifacts & { format?: string }> {
  const json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as ModelJson;
  const buffers: Buffer[] = [];
  const specs: io.WeightsManifestEntry[] = [];
  for (const group of json.weightsManifest) {
    for (const path of group.paths) buffers.push(await readFile(join(dirname(modelJsonPath), path)));
    specs.push(...group.weights);
  }
  const all = Buffer.concat(buffers);
  return {
    format: json.format,
    modelTopology: json.modelTopology as never,
    weightSpecs: specs,
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
    ...(json.signature !== undefined && { signature: json.signature as never }),
    ...(json.userDefinedMetadata !== undefined && { userDefinedMetadata: json.userDefinedMetadata as never }),
    ...(json.modelInitializer !== undefined && { modelInitializer: json.modelInitializer as never }),
  };
}
