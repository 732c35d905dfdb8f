/**
 * The cars network again, as a tfjs *graph* model (what tensorflowjs_converter writes for a
 * SavedModel): Placeholder → MatMul → BiasAdd → Relu → MatMul → BiasAdd, with the layers
 * model's own weights. The converter needs TensorFlow, which cannot be installed here; the
 * graph is written node by node instead, in the converter's JSON format. It is the fixture
 * for the tfjs backend's graph-model path, checked against the layers model's references.
 *
 *   npx tsx tools/models/make-cars-graph.ts   → libs/runtime/src/testing/fixtures/cars-graph/
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const FROM = 'models/cars/1';
const OUT = 'libs/runtime/src/testing/fixtures/cars-graph';

type Spec = { name: string; shape: number[]; dtype: string };
const dims = (shape: number[]) => ({ dim: shape.map((d) => ({ size: String(d) })) });
const float = { type: 'DT_FLOAT' };

const layers = JSON.parse(await readFile(join(FROM, 'model.json'), 'utf8')) as { weightsManifest: { weights: Spec[] }[] };
const specs = layers.weightsManifest[0]!.weights; // hidden/kernel, hidden/bias, mpg/kernel, mpg/bias
const weights = await readFile(join(FROM, 'weights.bin'));
const [hiddenKernel, , mpgKernel] = specs.map((s) => s.shape);

const constNode = (spec: Spec) => ({ name: spec.name, op: 'Const', attr: { value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(spec.shape) } }, dtype: float } });
const matmul = (name: string, a: string, b: string) => ({ name, op: 'MatMul', input: [a, b], attr: { transpose_a: { b: false }, transpose_b: { b: false }, T: float } });
const biasAdd = (name: string, a: string, b: string) => ({ name, op: 'BiasAdd', input: [a, b], attr: { T: float, data_format: { s: Buffer.from('NHWC').toString('base64') } } });

const model = {
  format: 'graph-model',
  generatedBy: 'tools/models/make-cars-graph.ts',
  convertedBy: null,
  modelTopology: {
    node: [
      { name: 'car', op: 'Placeholder', attr: { dtype: float, shape: { shape: dims([-1, hiddenKernel![0]!]) } } },
      ...specs.map(constNode),
      matmul('hidden/MatMul', 'car', specs[0]!.name),
      biasAdd('hidden/BiasAdd', 'hidden/MatMul', specs[1]!.name),
      { name: 'hidden/Relu', op: 'Relu', input: ['hidden/BiasAdd'], attr: { T: float } },
      matmul('mpg/MatMul', 'hidden/Relu', specs[2]!.name),
      biasAdd('mpg', 'mpg/MatMul', specs[3]!.name),
    ],
    library: {},
    versions: { producer: 1 },
  },
  weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
};
if (mpgKernel![1] !== 1) throw new Error('expected a single mpg output');

await mkdir(OUT, { recursive: true });
await writeFile(join(OUT, 'model.json'), `${JSON.stringify(model, null, 1)}\n`);
await writeFile(join(OUT, 'weights.bin'), weights);
console.log(`cars as a graph model: ${OUT}`);
