/**
 * modelyard's ONNX interpreter against onnxruntime: every example model it compiles, and
 * graphs written here for the operator forms the examples do not use, run through both the
 * interpreter and a real onnxruntime session of the same bytes, outputs compared. Labels and
 * integers must be equal; float32 values within 4e-6 relative (both round to float32, but sum in a
 * different order: onnxruntime in float32, the interpreter in double rounded once, so a
 * score can be a few float32 ulps apart, more where its terms cancel). Then the choice
 * `onnx.execution` makes, and what the interpreter refuses.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import type { NamedTensors, Tensor } from '../../../tensor/tensor.js';
import { parseModelConfig } from '../../model-config.js';
import { loadReference, maxAbsDiff, PENGUIN_INPUTS, PENGUIN_STRING_INPUTS, syntheticPenguins, WORKSPACE_MODELS } from '../../../testing/fixtures.js';
import { onnxModelBytes, type AttrValue, type GraphSpec } from '../../../testing/onnx-writer.js';
import { runSession, signatureOf } from '../ort-convert.js';
import { loadOnnxBackend } from '../onnx-backend.js';
import { compileGraph, type CompiledGraph } from './compile-graph.js';
import { readOnnxModel } from './onnx-model.js';
import { interpreterBackend } from './interpreter-backend.js';
import { ServingError } from '../../../errors.js';

const FIXTURES = join(WORKSPACE_MODELS, '../libs/runtime/src/testing/fixtures');

function compiled(bytes: Uint8Array): CompiledGraph {
  const c = compileGraph(readOnnxModel(bytes));
  if (!('graph' in c)) throw new Error(`not compiled: ${c.unsupported}`);
  return c.graph;
}

const sessions: ort.InferenceSession[] = [];
afterAll(async () => {
  await Promise.all(sessions.map((s) => s.release()));
});
async function session(bytes: Uint8Array): Promise<ort.InferenceSession> {
  const s = await ort.InferenceSession.create(bytes);
  sessions.push(s);
  return s;
}

/** Seeded values, so every run sends the same inputs. */
function randomSource(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

const STRINGS = ['Biscoe', 'Dream', 'Torgersen', 'MALE', 'FEMALE', '', 'Atlantis'];

/** Inputs for a signature: floats spread over [-5, 60) with some NaN, strings known and unknown. */
function inputsFor(graph: CompiledGraph, rows: number, seed: number): NamedTensors {
  const random = randomSource(seed);
  const out: NamedTensors = {};
  for (const spec of graph.signature.inputs) {
    const shape = (spec.shape ?? [-1]).map((d, i) => (d >= 0 ? d : i === 0 ? rows : 1));
    const n = shape.reduce((a, b) => a * b, 1);
    out[spec.name] =
      spec.dtype === 'string'
        ? { dtype: 'string', shape, data: Array.from({ length: n }, () => STRINGS[Math.floor(random() * STRINGS.length)]!) }
        : { dtype: 'float32', shape, data: Float32Array.from({ length: n }, () => (random() < 0.05 ? NaN : -5 + random() * 65)) };
  }
  return out;
}

function expectSameOutputs(mine: NamedTensors, theirs: NamedTensors): void {
  expect(Object.keys(mine).sort()).toEqual(Object.keys(theirs).sort());
  for (const name of Object.keys(theirs)) {
    const a = mine[name]!;
    const b = theirs[name]!;
    expect({ name, dtype: a.dtype, shape: a.shape }).toEqual({ name, dtype: b.dtype, shape: b.shape });
    if (a.dtype === 'float32' || a.dtype === 'float64') {
      const x = a.data as Float32Array;
      const y = b.data as Float32Array;
      let worst = 0;
      for (let i = 0; i < y.length; i++) {
        if (Number.isNaN(y[i])) expect(x[i]).toBeNaN();
        else worst = Math.max(worst, Math.abs(x[i]! - y[i]!) / Math.max(1, Math.abs(y[i]!)));
      }
      expect(worst, `${name}: largest difference`).toBeLessThan(4e-6);
    } else {
      expect(Array.from(a.data as ArrayLike<unknown>), name).toEqual(Array.from(b.data as ArrayLike<unknown>));
    }
  }
}

async function expectAgreement(bytes: Uint8Array, inputs: (graph: CompiledGraph, rows: number) => NamedTensors = (g, rows) => inputsFor(g, rows, rows)): Promise<void> {
  const graph = compiled(bytes);
  const s = await session(bytes);
  expect(graph.signature).toEqual(signatureOf(s));
  for (const rows of [1, 7, 300]) {
    const feeds = inputs(graph, rows);
    expectSameOutputs(graph.run(feeds), await runSession(s, feeds));
  }
}

const EXAMPLES = [
  join(WORKSPACE_MODELS, 'penguins/1/model.onnx'),
  join(WORKSPACE_MODELS, 'penguins/2/model.onnx'),
  join(WORKSPACE_MODELS, 'iris/1/model.onnx'),
  join(WORKSPACE_MODELS, 'digits/1/model.onnx'),
  join(FIXTURES, 'penguins-skewed/model.onnx'),
  join(FIXTURES, 'iris-columns/model.onnx'),
  join(FIXTURES, 'iris-named-columns/model.onnx'),
  join(FIXTURES, 'half_plus_two/1/model.onnx'),
];

describe('the interpreter against onnxruntime', () => {
  it.each(EXAMPLES.map((p) => [p.slice(p.indexOf('/', WORKSPACE_MODELS.length - 8) + 1), p]))('%s: the same signature and outputs', async (_name, path) => {
    await expectAgreement(readFileSync(path));
  }, 60_000);

  it.each([1, 2])('penguins v%i on real and made-up penguins, with missing values and unknown islands: the same labels and probabilities', async (version) => {
    const bytes = readFileSync(join(WORKSPACE_MODELS, `penguins/${version}/model.onnx`));
    const records = [...(await loadReference('penguins', version)).records, ...syntheticPenguins(400)];
    await expectAgreement(bytes, () => penguinTensors(records));
  }, 60_000);

  it('agrees with scikit-learn: the penguins (logistic regression, random forest) and iris references, through the backend `auto` picks', async () => {
    for (const version of [1, 2]) {
      const penguins = await loadAuto('penguins', version);
      expect(penguins.describe?.()).toEqual({ inline: true, engine: 'interpreter' });
      const ref = await loadReference('penguins', version);
      const out = await penguins.run(penguinTensors(ref.records));
      expect(Array.from(out['label']!.data as string[])).toEqual(ref.outputs['label']);
      expect(maxAbsDiff(rowsOf(out['probabilities']!), ref.outputs['probabilities'])).toBeLessThan(1e-5);
    }

    const iris = await loadAuto('iris', 1);
    expect(iris.describe?.()).toEqual({ inline: true, engine: 'interpreter' });
    const irisRef = await loadReference('iris', 1);
    const fields = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
    const features = Float32Array.from(irisRef.records.flatMap((r) => fields.map((f) => r[f] as number)));
    const irisOut = await iris.run({ features: { dtype: 'float32', shape: [irisRef.records.length, 4], data: features } });
    expect(Array.from(irisOut['class']!.data as BigInt64Array, Number)).toEqual(irisRef.outputs['class']);
    expect(maxAbsDiff(rowsOf(irisOut['probabilities']!), irisRef.outputs['probabilities'])).toBeLessThan(1e-5);
  }, 60_000);

  it('runs of different sizes one after another: each answer stays its own, equal to a fresh graph\'s, none a view of the memory the next run reuses', () => {
    const bytes = readFileSync(join(WORKSPACE_MODELS, 'penguins/1/model.onnx'));
    const graph = compiled(bytes);
    // Each run's memory is sized from the one before: too small after 1 row, too large after 300.
    const sizes = [1, 300, 1, 50, 50];
    const answers = sizes.map((rows, i) => ({ inputs: inputsFor(graph, rows, 100 + i), out: graph.run(inputsFor(graph, rows, 100 + i)) }));
    const fresh = compiled(bytes);
    for (const { inputs, out } of answers) expect(out).toEqual(fresh.run(inputs));
    const steady = answers.at(-1)!.out['probabilities']!.data as Float32Array;
    expect(steady.buffer.byteLength).toBe(steady.byteLength);
  });

  it('runs only what the requested outputs need: labels alone equal the full run\'s, and a node only an unrequested output needs is not run', () => {
    for (const path of [join(WORKSPACE_MODELS, 'penguins/1/model.onnx'), join(WORKSPACE_MODELS, 'penguins/2/model.onnx'), join(WORKSPACE_MODELS, 'iris/1/model.onnx')]) {
      const graph = compiled(readFileSync(path));
      const inputs = inputsFor(graph, 40, 7);
      const all = graph.run(inputs);
      const label = graph.signature.outputs.find((o) => o.dtype !== 'float32')!.name;
      const alone = graph.run(inputs, [label]);
      expect(Object.keys(alone)).toEqual([label]);
      expect(alone[label]).toEqual(all[label]);
      // And the scores again, transformed as before, after a labels-only run.
      expect(graph.run(inputs)).toEqual(all);
    }
    // y = Relu(x) and z = Reshape(x, [3]): z cannot be made from 2 values, y can.
    const graph = compiled(
      onnxModelBytes({
        opsets: { '': 15 },
        inputs: [{ name: 'x', elemType: 1, dims: [2] }],
        outputs: [
          { name: 'y', elemType: 1, dims: [2] },
          { name: 'z', elemType: 1, dims: [3] },
        ],
        initializers: [{ name: 'three', elemType: 7, dims: [1], values: [3] }],
        nodes: [
          { op: 'Relu', inputs: ['x'], outputs: ['y'] },
          { op: 'Reshape', inputs: ['x', 'three'], outputs: ['z'] },
        ],
      }),
    );
    const x = { x: { dtype: 'float32' as const, shape: [2], data: new Float32Array([-1, 2]) } };
    expect(() => graph.run(x)).toThrow(/cannot be reshaped/);
    expect(Array.from(graph.run(x, ['y'])['y']!.data as Float32Array)).toEqual([0, 2]);
    expect(() => graph.run(x, ['y', 'w'])).toThrow('the model has no output "w"');
  });
});

/** The operator forms no example model uses, each in a graph of its own, against onnxruntime. */
describe('operator forms, against onnxruntime', () => {
  const FLOAT = 1;
  const INT64 = 7;
  const STRING = 8;
  const DOUBLE = 11;
  const ML = { '': 15, 'ai.onnx.ml': 3 };

  it('LinearClassifier with integer labels, post transforms NONE, LOGISTIC and SOFTMAX', async () => {
    for (const post_transform of ['NONE', 'LOGISTIC', 'SOFTMAX']) {
      await expectAgreement(
        linearClassifierModel(3, 4, {
          coefficients: { floats: [0.5, -1.25, 0.1, 2, 0.3, -0.7, -0.4, 0.9, 1.1, 0.05, -2, 0.6] },
          intercepts: { floats: [0.1, -0.2, 0.3, 0] },
          classlabels_ints: { ints: [3, 7, 11, 42] },
          post_transform: { s: post_transform },
        }),
      );
    }
  }, 60_000);

  it('LinearClassifier of one score and two labels (a binary LogisticRegression): the label of s > 0, scores [1 - p, p]', async () => {
    for (const post_transform of ['NONE', 'LOGISTIC', 'SOFTMAX']) {
      for (const labels of [{ classlabels_ints: { ints: [0, 1] } }, { classlabels_strings: { strings: ['stays', 'churns'] } }] as Record<string, AttrValue>[]) {
        await expectAgreement(
          linearClassifierModel(3, 2, { coefficients: { floats: [0.08, -0.05, 0.02] }, intercepts: { floats: [-0.4] }, ...labels, post_transform: { s: post_transform } }),
        );
      }
    }
    // A score of exactly 0 is the first label, as in onnxruntime: rows made to land on it.
    await expectAgreement(
      linearClassifierModel(2, 2, { coefficients: { floats: [1, 1] }, intercepts: { floats: [0] }, classlabels_ints: { ints: [4, 9] } }),
      (_g, rows) => ({ x: { dtype: 'float32', shape: [rows, 2], data: Float32Array.from({ length: rows * 2 }, (_, i) => [0, 0, 1, -1, 0.001, 0, -0.001, 0][i % 8]!) } }),
    );
  }, 60_000);

  it('OneHotEncoder of int64 categories, Imputer of a sentinel, Scaler with one offset and scale, Reshape with 0 and -1, Concat on a negative axis', async () => {
    await expectAgreement(
      onnxModelBytes({
        opsets: ML,
        inputs: [
          { name: 'code', elemType: INT64, dims: ['N', 1] },
          { name: 'x', elemType: FLOAT, dims: ['N', 2] },
        ],
        outputs: [{ name: 'out', elemType: FLOAT, dims: ['N', 5] }],
        initializers: [{ name: 'shape', elemType: INT64, dims: [2], values: [0, -1] }],
        nodes: [
          { op: 'OneHotEncoder', domain: 'ai.onnx.ml', inputs: ['code'], outputs: ['hot3'], attrs: { cats_int64s: { ints: [2, 4, 6] }, zeros: { i: 1 } } },
          { op: 'Reshape', inputs: ['hot3', 'shape'], outputs: ['hot'] },
          { op: 'Imputer', domain: 'ai.onnx.ml', inputs: ['x'], outputs: ['filled'], attrs: { imputed_value_floats: { floats: [1.5, -2] }, replaced_value_float: { f: 7 } } },
          { op: 'Scaler', domain: 'ai.onnx.ml', inputs: ['filled'], outputs: ['scaled'], attrs: { offset: { floats: [0.3] }, scale: { floats: [1.7] } } },
          { op: 'Concat', inputs: ['scaled', 'hot'], outputs: ['out'], attrs: { axis: { i: -1 } } },
        ],
      }),
      (_g, rows) => {
        const random = randomSource(rows);
        return {
          code: { dtype: 'int64', shape: [rows, 1], data: BigInt64Array.from({ length: rows }, () => BigInt(Math.floor(random() * 8))) },
          // Some exact 7s, the sentinel the Imputer replaces.
          x: { dtype: 'float32', shape: [rows, 2], data: Float32Array.from({ length: rows * 2 }, () => (random() < 0.3 ? 7 : random() * 20 - 10)) },
        };
      },
    );
  }, 60_000);

  it('arithmetic that broadcasts, Cast to double and back, Relu, MatMul, Softmax at opsets 11 and 13, ArgMax keeping its axis, Identity', async () => {
    for (const opset of [11, 13]) {
      const spec: GraphSpec = {
        opsets: { '': opset },
        inputs: [
          { name: 'x', elemType: FLOAT, dims: ['N', 3] },
          { name: 'col', elemType: FLOAT, dims: ['N', 1] },
        ],
        outputs: [
          { name: 'p', elemType: FLOAT, dims: ['N', 2] },
          { name: 'k', elemType: INT64, dims: ['N', 1] },
          { name: 'd', elemType: FLOAT, dims: ['N', 3] },
        ],
        initializers: [
          { name: 'row', elemType: FLOAT, dims: [3], values: [0.5, -1, 2] },
          { name: 'one', elemType: FLOAT, dims: [1, 3], values: [3, 1, 0.25] },
          { name: 'w', elemType: FLOAT, dims: [3, 2], values: [0.2, -0.3, 1.1, 0.4, -0.8, 0.9] },
          { name: 'mean64', elemType: DOUBLE, dims: [3], values: [0.1, 0.2, 0.3] },
        ],
        nodes: [
          { op: 'Sub', inputs: ['x', 'row'], outputs: ['a'] },
          { op: 'Mul', inputs: ['col', 'one'], outputs: ['b'] },
          { op: 'Div', inputs: ['a', 'one'], outputs: ['c'] },
          { op: 'Add', inputs: ['c', 'b'], outputs: ['e'] },
          { op: 'Cast', inputs: ['e'], outputs: ['e64'], attrs: { to: { i: DOUBLE } } },
          { op: 'Sub', inputs: ['e64', 'mean64'], outputs: ['f64'] },
          { op: 'Cast', inputs: ['f64'], outputs: ['f'], attrs: { to: { i: FLOAT } } },
          { op: 'Relu', inputs: ['f'], outputs: ['g'] },
          { op: 'MatMul', inputs: ['g', 'w'], outputs: ['h'] },
          { op: 'Softmax', inputs: ['h'], outputs: ['p'], attrs: opset < 13 ? {} : { axis: { i: -1 } } },
          { op: 'ArgMax', inputs: ['p'], outputs: ['k'], attrs: { axis: { i: 1 } } },
          { op: 'Identity', inputs: ['f'], outputs: ['d'] },
        ],
      };
      await expectAgreement(onnxModelBytes(spec));
    }
  }, 60_000);

  it('TreeEnsembleClassifier: every branch mode, NaN sent either way, base values, integer labels, a class no leaf scores, SOFTMAX', async () => {
    for (const [post_transform, base] of [['NONE', true], ['NONE', false], ['SOFTMAX', true], ['LOGISTIC', false]] as const) {
      await expectAgreement(forestModel({ post_transform, base }), (_g, rows) => {
        const random = randomSource(rows + 3);
        // Values on and around the thresholds, and NaN, so that every comparison goes both ways.
        const pool = [0.5, 1, 1.5, 2, 2.5, 3, NaN, -1];
        return { x: { dtype: 'float32', shape: [rows, 3], data: Float32Array.from({ length: rows * 3 }, () => pool[Math.floor(random() * pool.length)]!) } };
      });
    }
  }, 60_000);

  it('OneHotEncoder with zeros=0: an unknown category is refused by both, naming the value', async () => {
    const bytes = onnxModelBytes({
      opsets: ML,
      inputs: [{ name: 's', elemType: STRING, dims: ['N', 1] }],
      outputs: [{ name: 'hot', elemType: FLOAT, dims: ['N', 1, 2] }],
      nodes: [{ op: 'OneHotEncoder', domain: 'ai.onnx.ml', inputs: ['s'], outputs: ['hot'], attrs: { cats_strings: { strings: ['a', 'b'] }, zeros: { i: 0 } } }],
    });
    const backend = interpreterBackend(compiled(bytes));
    const s = await session(bytes);
    const known: NamedTensors = { s: { dtype: 'string', shape: [2, 1], data: ['b', 'a'] } };
    expectSameOutputs(await backend.run(known), await runSession(s, known));
    const unknown: NamedTensors = { s: { dtype: 'string', shape: [2, 1], data: ['a', 'zebra'] } };
    await expect(runSession(s, unknown)).rejects.toThrow();
    await expect(backend.run(unknown)).rejects.toThrow(/the model refused the input: "zebra" is not one of the 2 categories/);
  }, 60_000);
});

describe('what the interpreter refuses', () => {
  const scaler = (attrs: Record<string, { floats: number[] } | { i: number }>, opsets: Record<string, number> = { '': 15, 'ai.onnx.ml': 3 }) =>
    compileGraph(
      readOnnxModel(
        onnxModelBytes({
          opsets,
          inputs: [{ name: 'x', elemType: 1, dims: ['N', 2] }],
          outputs: [{ name: 'y', elemType: 1, dims: ['N', 2] }],
          nodes: [{ op: 'Scaler', domain: 'ai.onnx.ml', inputs: ['x'], outputs: ['y'], attrs: { offset: { floats: [1, 2] }, scale: { floats: [3, 4] }, ...attrs } }],
        }),
      ),
    );

  it('a graph with anything it does not implement is not compiled, and says what', async () => {
    expect(scaler({})).toHaveProperty('graph');
    // An attribute the kernel does not read is a meaning it does not implement.
    expect(scaler({ bogus: { i: 1 } })).toEqual({ unsupported: 'Scaler attribute(s) bogus' });
    // A domain the model does not import, an opset past what the kernel was written for.
    expect(scaler({}, { '': 15 })).toEqual({ unsupported: 'node "node0" uses domain "ai.onnx.ml", which the model does not import' });
    expect(scaler({}, { '': 15, 'ai.onnx.ml': 9 })).toEqual({ unsupported: 'operator ai.onnx.ml.Scaler at opset 9' });
    // An operator it does not implement.
    expect(compileGraph(readOnnxModel(gemmModel()))).toEqual({ unsupported: 'operator Gemm' });
    // A forest of two classes (the binary form): left to onnxruntime.
    expect(compileGraph(readOnnxModel(forestModel({ labels: 2 })))).toEqual({ unsupported: 'TreeEnsembleClassifier with two classes (binary form)' });
    // A tree whose branch points back at its root.
    expect(compileGraph(readOnnxModel(forestModel({ cycle: true })))).toEqual({ unsupported: 'TreeEnsembleClassifier with a cycle in a tree' });
    // A LinearClassifier of one score with other than two labels: left to onnxruntime.
    const binary = compileGraph(
      readOnnxModel(
        linearClassifierModel(2, 2, { coefficients: { floats: [1, 2] }, intercepts: { floats: [0.5] }, classlabels_ints: { ints: [0, 1, 2] }, post_transform: { s: 'LOGISTIC' } }),
      ),
    );
    expect(binary).toEqual({ unsupported: 'LinearClassifier with 3 labels for 1 score(s)' });
  });

  it('bytes that are not an ONNX model are an error, not a hang or a crash', () => {
    const bytes = readFileSync(join(WORKSPACE_MODELS, 'penguins/1/model.onnx'));
    expect(() => readOnnxModel(bytes.subarray(0, bytes.length - 10))).toThrow(/truncated/);
    expect(() => readOnnxModel(Buffer.from('{"not": "onnx"}'))).toThrow();
    expect(() => readOnnxModel(new Uint8Array(0))).toThrow(/no ONNX graph/);
  });

  it('an input that does not fit is a 400 naming it, and the next request is answered as before', async () => {
    const backend = interpreterBackend(compiled(readFileSync(join(WORKSPACE_MODELS, 'penguins/1/model.onnx'))));
    const ref = await loadReference('penguins', 1);
    const good = penguinTensors(ref.records.slice(0, 3));
    const refusal = async (inputs: NamedTensors) => {
      const err = await backend.run(inputs).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ServingError);
      expect((err as ServingError).code).toBe('INVALID_ARGUMENT');
      return (err as Error).message;
    };
    const bill = good['bill_length_mm']!;
    expect(await refusal({ ...good, bill_length_mm: { ...bill, dtype: 'float64', data: Float64Array.from(bill.data as Float32Array) } })).toBe(
      'the model refused the input: input "bill_length_mm" is float64, the model takes float32',
    );
    expect(await refusal({ ...good, bill_length_mm: { ...bill, shape: [3] } })).toBe('the model refused the input: input "bill_length_mm" has shape [3], the model takes [N, 1]');
    // Rows that do not line up between inputs.
    expect(await refusal({ ...good, bill_length_mm: { ...bill, shape: [2, 1], data: (bill.data as Float32Array).subarray(0, 2) } })).toMatch(/cannot be joined on axis 1/);
    const { island: _dropped, ...missing } = good;
    expect(await refusal(missing)).toBe('the model refused the input: input "island" is missing');
    expect(await refusal({ ...good, extra: bill })).toBe('the model refused the input: the model has no input "extra"');
    const out = await backend.run(good);
    expect(Array.from(out['label']!.data as string[])).toEqual(ref.outputs['label']!.slice(0, 3));
    // Asking for some outputs: only those.
    expect(Object.keys(await backend.run(good, ['label']))).toEqual(['label']);
  });
});

describe('onnx.execution and the interpreter', () => {
  const batching = { batching: { maxBatchSize: 64, batchTimeoutMicros: 0 } };
  const load = (model: string, version: number, onnx: object, dir = join(WORKSPACE_MODELS, model, String(version))) =>
    loadOnnxBackend({ versionDir: dir, modelName: model, version }, parseModelConfig('model.json', JSON.stringify({ name: model, backend: 'onnx', ...batching, onnx })), {
      execution: 'auto',
      intraOpThreads: 1,
      ...onnx,
    } as never);

  it('auto: the interpreter when it implements the graph, else onnxruntime inline; asked for, it names what it cannot run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'interp-gemm-'));
    await writeFile(join(dir, 'model.onnx'), gemmModel());
    const gemm = await load('gemm', 1, {}, dir);
    expect(gemm.describe?.()).toEqual({ inline: true });
    await gemm.close();
    await expect(load('gemm', 1, { execution: 'interpreter' }, dir)).rejects.toThrow('onnx.execution "interpreter" cannot run this model: it uses operator Gemm');
    const ort = await load('penguins', 1, { execution: 'inline' });
    expect(ort.describe?.()).toEqual({ inline: true });
    await ort.close();
  }, 60_000);

  it('a corrupt model file: asked for, the interpreter says so; under auto, onnxruntime reports it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'interp-'));
    await writeFile(join(dir, 'model.onnx'), readFileSync(join(WORKSPACE_MODELS, 'penguins/1/model.onnx')).subarray(0, 500));
    await expect(load('penguins', 1, { execution: 'interpreter' }, dir)).rejects.toThrow(/is not a readable ONNX model: truncated/);
    await expect(load('penguins', 1, {}, dir)).rejects.toThrow();
  }, 60_000);
});

/** One LinearClassifier over an [N, features] float input: labels (by its label attribute's kind) and [N, scores] scores. */
function linearClassifierModel(features: number, scores: number, attrs: Record<string, AttrValue>): Uint8Array {
  return onnxModelBytes({
    opsets: { '': 15, 'ai.onnx.ml': 3 },
    inputs: [{ name: 'x', elemType: 1, dims: ['N', features] }],
    outputs: [
      { name: 'label', elemType: 'classlabels_strings' in attrs ? 8 : 7, dims: ['N'] },
      { name: 'scores', elemType: 1, dims: ['N', scores] },
    ],
    nodes: [{ op: 'LinearClassifier', domain: 'ai.onnx.ml', inputs: ['x'], outputs: ['label', 'scores'], attrs }],
  });
}

/** A Gemm, which the interpreter does not implement. */
function gemmModel(): Uint8Array {
  return onnxModelBytes({
    opsets: { '': 15 },
    inputs: [{ name: 'x', elemType: 1, dims: ['N', 2] }],
    outputs: [{ name: 'y', elemType: 1, dims: ['N', 2] }],
    initializers: [{ name: 'w', elemType: 1, dims: [2, 2], values: [1, 2, 3, 4] }],
    nodes: [{ op: 'Gemm', inputs: ['x', 'w'], outputs: ['y'] }],
  });
}

/**
 * Two small trees over 3 features using every branch mode, NaN sent true by some nodes,
 * four classes of which class 3 no leaf scores (with base values it may win by its own;
 * without, it never wins and its score is 0).
 */
function forestModel(options: { post_transform?: string; labels?: number; cycle?: boolean; base?: boolean } = {}): Uint8Array {
  const labels = options.labels ?? 4;
  // tree 0: 0 LEQ f0 1.5 → 1 / 2;  1 LT f1 2 → 3 / 4;  2 GTE f2 2.5 → 5 / 6; leaves 3..6
  // tree 1: 0 GT f0 2 → 1 / 2;  1 EQ f1 1 → 3 / 4;  2 NEQ f2 0.5 → 5 / 6; leaves 3..6
  const branch = (mode: string, feature: number, value: number, t: number, f: number, missing: number) => ({ mode, feature, value, t, f, missing });
  const trees = [
    [branch('BRANCH_LEQ', 0, 1.5, 1, 2, 1), branch('BRANCH_LT', 1, 2, 3, 4, 0), branch('BRANCH_GTE', 2, 2.5, 5, options.cycle ? 0 : 6, 1)],
    [branch('BRANCH_GT', 0, 2, 1, 2, 0), branch('BRANCH_EQ', 1, 1, 3, 4, 1), branch('BRANCH_NEQ', 2, 0.5, 5, 6, 0)],
  ];
  const nodes = trees.flatMap((tree, treeId) => [
    ...tree.map((b, nodeId) => ({ treeId, nodeId, ...b })),
    ...[3, 4, 5, 6].map((nodeId) => ({ treeId, nodeId, mode: 'LEAF', feature: 0, value: 0, t: 0, f: 0, missing: 0 })),
  ]);
  const leafWeights = nodes
    .filter((n) => n.mode === 'LEAF')
    .flatMap((n) => [0, 1, 2].filter((c) => c < labels).map((c) => ({ treeId: n.treeId, nodeId: n.nodeId, c, w: ((n.nodeId * 7 + c * 3 + n.treeId) % 5) / 10 })));
  return onnxModelBytes({
    opsets: { '': 15, 'ai.onnx.ml': 3 },
    inputs: [{ name: 'x', elemType: 1, dims: ['N', 3] }],
    outputs: [
      { name: 'label', elemType: 7, dims: ['N'] },
      { name: 'scores', elemType: 1, dims: ['N', labels] },
    ],
    nodes: [
      {
        op: 'TreeEnsembleClassifier', domain: 'ai.onnx.ml', inputs: ['x'], outputs: ['label', 'scores'],
        attrs: {
          nodes_treeids: { ints: nodes.map((n) => n.treeId) },
          nodes_nodeids: { ints: nodes.map((n) => n.nodeId) },
          nodes_featureids: { ints: nodes.map((n) => n.feature) },
          nodes_values: { floats: nodes.map((n) => n.value) },
          nodes_modes: { strings: nodes.map((n) => n.mode) },
          nodes_truenodeids: { ints: nodes.map((n) => n.t) },
          nodes_falsenodeids: { ints: nodes.map((n) => n.f) },
          nodes_missing_value_tracks_true: { ints: nodes.map((n) => n.missing) },
          class_treeids: { ints: leafWeights.map((w) => w.treeId) },
          class_nodeids: { ints: leafWeights.map((w) => w.nodeId) },
          class_ids: { ints: leafWeights.map((w) => w.c) },
          class_weights: { floats: leafWeights.map((w) => w.w) },
          classlabels_int64s: { ints: Array.from({ length: labels }, (_, i) => 10 + i) },
          ...(labels > 2 && options.base !== false ? { base_values: { floats: [0.05, 0, 0.1, 0.02].slice(0, labels) } } : {}),
          post_transform: { s: options.post_transform ?? 'NONE' },
        },
      },
    ],
  });
}

const loadAuto = (model: string, version: number) =>
  loadOnnxBackend(
    { versionDir: join(WORKSPACE_MODELS, model, String(version)), modelName: model, version },
    parseModelConfig('model.json', JSON.stringify({ name: model, backend: 'onnx', batching: { maxBatchSize: 64, batchTimeoutMicros: 0 } })),
    { execution: 'auto', intraOpThreads: 1 } as never,
  );

function penguinTensors(records: readonly Record<string, unknown>[]): NamedTensors {
  const out: NamedTensors = {};
  for (const [input, field] of Object.entries(PENGUIN_INPUTS)) {
    const values = records.map((r) => r[field] ?? null);
    out[input] = PENGUIN_STRING_INPUTS.has(input)
      ? { dtype: 'string', shape: [records.length, 1], data: values.map((v) => (v === null ? '' : String(v))) }
      : { dtype: 'float32', shape: [records.length, 1], data: Float32Array.from(values, (v) => (v === null ? NaN : Number(v))) };
  }
  return out;
}

function rowsOf(t: Tensor): number[][] {
  const width = t.shape[1]!;
  return Array.from({ length: t.shape[0]! }, (_, i) => Array.from((t.data as Float32Array).subarray(i * width, (i + 1) * width)));
}
