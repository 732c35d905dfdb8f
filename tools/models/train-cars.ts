/**
 * A TensorFlow.js example trained in TypeScript on real data: miles per gallon from five
 * specs of the 392 complete cars in vega-datasets' cars.json. Saved in the tfjs layers
 * format (model.json + weights.bin) with the predictions tfjs itself made at training time.
 *
 *   npx tsx tools/models/train-cars.ts            → models/cars/1/
 *
 * Deterministic: seeded initialisers, no shuffling, the plain CPU backend.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

const FIELDS = ['Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration'] as const;
type Car = Record<(typeof FIELDS)[number] | 'Miles_per_Gallon' | 'Name', number | string | null>;
const OUT = 'models/cars/1';

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const cars = (JSON.parse(await readFile('node_modules/vega-datasets/data/cars.json', 'utf8')) as Car[]).filter(
    (c) => c.Miles_per_Gallon !== null && FIELDS.every((f) => c[f] !== null),
  );
  const X = cars.map((c) => FIELDS.map((f) => Number(c[f])));
  const y = cars.map((c) => [Number(c.Miles_per_Gallon)]);

  // Train on standardised inputs, then fold the standardisation into the first layer, so
  // the saved model takes the raw values callers have: W' = W / std, b' = b - (mean / std)·W.
  const mean = FIELDS.map((_, j) => X.reduce((s, r) => s + r[j]!, 0) / X.length);
  const std = FIELDS.map((_, j) => Math.sqrt(X.reduce((s, r) => s + (r[j]! - mean[j]!) ** 2, 0) / X.length));
  const Xs = X.map((r) => r.map((v, j) => (v - mean[j]!) / std[j]!));

  const input = tf.input({ shape: [FIELDS.length], name: 'car' });
  const hidden = tf.layers.dense({ units: 16, activation: 'relu', name: 'hidden', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input);
  const output = tf.layers.dense({ units: 1, name: 'mpg', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(hidden) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output, name: 'cars_mpg' });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  const history = await model.fit(tf.tensor2d(Xs), tf.tensor2d(y), { epochs: 300, batchSize: 32, shuffle: false, verbose: 0 });
  const loss = history.history['loss']!.at(-1) as number;

  const hiddenLayer = model.getLayer('hidden');
  const [kernel, bias] = hiddenLayer.getWeights() as [tf.Tensor2D, tf.Tensor1D];
  const k = (await kernel.array()) as number[][];
  const b = (await bias.array()) as number[];
  const folded = k.map((row, j) => row.map((w) => w / std[j]!));
  const foldedBias = b.map((bi, u) => bi - FIELDS.reduce((s, _, j) => s + (mean[j]! / std[j]!) * k[j]![u]!, 0));
  hiddenLayer.setWeights([tf.tensor2d(folded), tf.tensor1d(foldedBias)]);

  await mkdir(OUT, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = Buffer.from(artifacts.weightData as ArrayBuffer);
      await writeFile(join(OUT, 'weights.bin'), weights);
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      await writeFile(join(OUT, 'model.json'), `${JSON.stringify(modelJson)}\n`);
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );

  // The reference: what the saved (folded) model predicts from the raw values.
  const predictions = (await (model.predict(tf.tensor2d(X)) as tf.Tensor).array()) as number[][];
  const records = cars.map((c) => Object.fromEntries(FIELDS.map((f) => [f, c[f]])));
  const mae = predictions.reduce((s, p, i) => s + Math.abs(p[0]! - y[i]![0]!), 0) / y.length;
  await writeFile(
    join(OUT, 'reference.json'),
    `${JSON.stringify({ fields: { car: FIELDS }, records, outputs: { mpg: predictions } }, null, 1)}\n`,
  );
  console.log(`cars v1: Dense(16, relu) → Dense(1) on ${cars.length} cars, training MSE ${loss.toFixed(2)}, mean absolute error ${mae.toFixed(2)} mpg`);
}

await main();
