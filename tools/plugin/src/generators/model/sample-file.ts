import { readFileSync } from 'node:fs';
import { logger, type Tree } from '@nx/devkit';
import { readOnnxMetadata } from './onnx-metadata';
import type { SignatureEntry } from './read-onnx-signature';
import { runSample, type GetScoreResponse, type SampleOutput } from './run-sample';
import { columnsFromMetadata, mapSampleToInputs, parseColumns, readSample, type InputMapping } from './sample-mapping';

/**
 * models/<model>/sample.json, `{"request": <a /get_score body>, "response": <its answer>}`:
 * the old callers' records and the answer the model gave them at generation time. The
 * smoke tests post the request to the running app and require that response.
 */
export const SAMPLE_FILE = 'sample.json';
/** The version's references, in the format the runtime's self-check reads (repository/self-check.ts). */
export const REFERENCE_FILE = 'reference.json';

const readText = (tree: Tree, path: string) => tree.read(path, 'utf-8') ?? readFileSync(path, 'utf8');

export async function setUpSample(
  tree: Tree,
  options: {
    modelName: string;
    sample: string;
    columns?: string;
    model: Uint8Array;
    transformer?: Uint8Array;
    /** The inputs callers feed: the transformer's when there is one, else the model's. */
    front: { inputs: SignatureEntry[]; bytes: Uint8Array };
    outputs: SampleOutput[];
  },
): Promise<{ inputs: InputMapping[]; getScoreOutput?: string; response: GetScoreResponse }> {
  const records = readSample(readText(tree, options.sample), options.sample);
  const columns = options.columns
    ? parseColumns(readText(tree, options.columns), `--columns ${options.columns}`, options.front.inputs)
    : columnsFromMetadata(readOnnxMetadata(options.front.bytes), options.front.inputs);
  const { inputs, unused } = mapSampleToInputs(options.front.inputs, records, columns);
  // The old services answered a list of labels; a classifier's label output gives exactly that.
  const getScoreOutput = options.outputs.find((o) => o.role === 'label')?.name;
  const { response, outputs } = await runSample({ model: options.model, transformer: options.transformer, inputs, records, outputs: options.outputs, only: getScoreOutput });
  tree.write(`models/${options.modelName}/${SAMPLE_FILE}`, `${JSON.stringify({ request: { data: records }, response }, null, 2)}\n`);
  // The first answers of the model as exported: the runtime refuses a later copy of version 1
  // that answers them differently (self-check at load, docs/safety.md).
  tree.write(`models/${options.modelName}/1/${REFERENCE_FILE}`, `${JSON.stringify({ records, outputs }, null, 1)}\n`);
  if (unused.length) logger.info(`Sample fields no model input takes (callers may keep sending them): ${unused.join(', ')}`);
  logger.info(`POST /get_score with the sample answers: ${JSON.stringify(response)}`);
  return { inputs, getScoreOutput, response };
}
