/**
 * The interpreter as a backend: the compiled graph run on the serving loop itself, like
 * `inline`, with no native call and no onnxruntime loaded at all.
 */
import { readFile } from 'node:fs/promises';
import { ServingError } from '../../../errors.js';
import { valueCount } from '../../../tensor/tensor.js';
import type { Backend } from '../../backend.js';
import { compileGraph, type Compilation, type CompiledGraph } from './compile-graph.js';
import { readOnnxModel } from './onnx-model.js';
import { RefusedInput } from './ops/kernel.js';

/** Reads and compiles an ONNX file; throws when the file is not a readable ONNX model. */
export async function compileOnnxFile(modelPath: string): Promise<Compilation> {
  return compileGraph(readOnnxModel(await readFile(modelPath)));
}

/**
 * Inputs of at least this many values wait for the event loop to turn before they run, as
 * onnxruntime-node starts an inline run from setImmediate: a large request, which reaches the
 * backend a slice of rows at a time (batching/split-rows.ts), lets other requests and the
 * probes in between its slices. Smaller ones (a 100-record request of 32 columns is 3,200)
 * run at once: the hop would cost more than the run; past this it costs under 1 %.
 */
const TURN_BEFORE_VALUES = 4_096;

export function interpreterBackend(graph: CompiledGraph): Backend {
  return {
    signature: graph.signature,
    async run(inputs, outputs) {
      if (valueCount(inputs) >= TURN_BEFORE_VALUES) await new Promise((turned) => setImmediate(turned));
      try {
        return graph.run(inputs, outputs);
      } catch (err) {
        if (err instanceof RefusedInput) throw new ServingError('INVALID_ARGUMENT', `the model refused the input: ${err.message}`);
        throw err;
      }
    },
    describe: () => ({ inline: true, engine: 'interpreter' }),
    close: async () => {},
  };
}
