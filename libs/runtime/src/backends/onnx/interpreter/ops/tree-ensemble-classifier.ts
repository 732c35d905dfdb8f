/**
 * ai.onnx.ml TreeEnsembleClassifier, the form scikit-learn's forests and gradient boosting
 * export to: every tree walked from its root to a leaf, the leaves' class weights summed
 * per class (plus base_values), the label of the highest score (the first of equals, among
 * classes some leaf scored), then the post transform. Three or more classes; the binary
 * form, whose second score onnxruntime derives in several ways, is left to onnxruntime.
 */
import { RefusedInput, requireTypes, shapeText, Unsupported, type KernelFactory, type NodeAttributes } from './kernel.js';
import { classifierOutputs, classLabels, postTransform, rowsAndFeatures, transformRow } from './classifier-shared.js';

const MODES = ['BRANCH_LEQ', 'BRANCH_LT', 'BRANCH_GTE', 'BRANCH_GT', 'BRANCH_EQ', 'BRANCH_NEQ', 'LEAF'] as const;
const LEAF = 6;

/** The trees as flat arrays, node by node, with children as indices into them. */
interface Forest {
  roots: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  mode: Uint8Array;
  ifTrue: Int32Array;
  ifFalse: Int32Array;
  missingGoesTrue: Uint8Array;
  /** Leaf i's weights are weightClass/weightValue[leafStart[i] .. leafStart[i + 1]). */
  leafStart: Int32Array;
  weightClass: Int32Array;
  weightValue: Float64Array;
  /** The highest feature index any branch reads. */
  maxFeature: number;
}

function readForest(attrs: NodeAttributes, classes: number): Forest {
  const treeIds = attrs.ints('nodes_treeids').map(Number);
  const nodeIds = attrs.ints('nodes_nodeids').map(Number);
  const featureIds = attrs.ints('nodes_featureids').map(Number);
  const values = attrs.floats('nodes_values');
  const modes = attrs.strings('nodes_modes');
  const trueIds = attrs.ints('nodes_truenodeids').map(Number);
  const falseIds = attrs.ints('nodes_falsenodeids').map(Number);
  const missing = attrs.ints('nodes_missing_value_tracks_true').map(Number);
  // Hit rates are statistics about the training data; they do not change a prediction.
  attrs.floats('nodes_hitrates');
  const n = treeIds.length;
  for (const [name, list] of [['nodes_nodeids', nodeIds], ['nodes_featureids', featureIds], ['nodes_values', values], ['nodes_modes', modes], ['nodes_truenodeids', trueIds], ['nodes_falsenodeids', falseIds]] as const) {
    if (list.length !== n) throw new Unsupported(`TreeEnsembleClassifier ${name} of ${list.length} entries for ${n} nodes`);
  }
  if (missing.length !== 0 && missing.length !== n) throw new Unsupported('TreeEnsembleClassifier nodes_missing_value_tracks_true of another length');
  if (n === 0) throw new Unsupported('TreeEnsembleClassifier without nodes');

  const index = new Map<string, number>();
  const roots: number[] = [];
  const seenTrees = new Set<number>();
  for (let i = 0; i < n; i++) {
    const key = `${treeIds[i]}/${nodeIds[i]}`;
    if (index.has(key)) throw new Unsupported(`TreeEnsembleClassifier node ${key} given twice`);
    index.set(key, i);
    // A tree's root is its first node listed, as exporters write them.
    if (!seenTrees.has(treeIds[i]!)) {
      seenTrees.add(treeIds[i]!);
      roots.push(i);
    }
  }
  const mode = new Uint8Array(n);
  const ifTrue = new Int32Array(n);
  const ifFalse = new Int32Array(n);
  let maxFeature = 0;
  for (let i = 0; i < n; i++) {
    const m = MODES.indexOf(modes[i] as (typeof MODES)[number]);
    if (m < 0) throw new Unsupported(`TreeEnsembleClassifier node mode ${modes[i]}`);
    mode[i] = m;
    if (m === LEAF) continue;
    const child = (id: number) => {
      const at = index.get(`${treeIds[i]}/${id}`);
      if (at === undefined) throw new Unsupported(`TreeEnsembleClassifier node ${treeIds[i]}/${nodeIds[i]} points to a node that does not exist`);
      return at;
    };
    ifTrue[i] = child(trueIds[i]!);
    ifFalse[i] = child(falseIds[i]!);
    if (featureIds[i]! < 0) throw new Unsupported('TreeEnsembleClassifier with a negative feature index');
    maxFeature = Math.max(maxFeature, featureIds[i]!);
  }
  checkAcyclic(roots, mode, ifTrue, ifFalse);

  const classTrees = attrs.ints('class_treeids').map(Number);
  const classNodes = attrs.ints('class_nodeids').map(Number);
  const classIds = attrs.ints('class_ids').map(Number);
  const weights = attrs.floats('class_weights');
  if (classNodes.length !== classTrees.length || classIds.length !== classTrees.length || weights.length !== classTrees.length) {
    throw new Unsupported('TreeEnsembleClassifier class_* lists of different lengths');
  }
  const perLeaf: [number, number][][] = Array.from({ length: n }, () => []);
  for (let k = 0; k < classTrees.length; k++) {
    const at = index.get(`${classTrees[k]}/${classNodes[k]}`);
    if (at === undefined || mode[at] !== LEAF) throw new Unsupported(`TreeEnsembleClassifier weight for ${classTrees[k]}/${classNodes[k]}, which is not a leaf`);
    if (classIds[k]! < 0 || classIds[k]! >= classes) throw new Unsupported(`TreeEnsembleClassifier class id ${classIds[k]} for ${classes} classes`);
    perLeaf[at]!.push([classIds[k]!, Math.fround(weights[k]!)]);
  }
  const leafStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) leafStart[i + 1] = leafStart[i]! + perLeaf[i]!.length;
  const flat = perLeaf.flat();
  return {
    roots: Int32Array.from(roots),
    feature: Int32Array.from(featureIds),
    threshold: Float64Array.from(values, Math.fround),
    mode,
    ifTrue,
    ifFalse,
    missingGoesTrue: missing.length === n ? Uint8Array.from(missing) : new Uint8Array(n),
    leafStart,
    weightClass: Int32Array.from(flat, ([c]) => c),
    weightValue: Float64Array.from(flat, ([, w]) => w),
    maxFeature,
  };
}

/** Every walk from a root ends at a leaf: no node is reached twice on one path. */
function checkAcyclic(roots: readonly number[], mode: Uint8Array, ifTrue: Int32Array, ifFalse: Int32Array): void {
  const state = new Uint8Array(mode.length); // 0 unseen, 1 on the current path, 2 done
  for (const root of roots) {
    const stack: [number, boolean][] = [[root, false]];
    while (stack.length > 0) {
      const [node, leaving] = stack.pop()!;
      if (leaving) {
        state[node] = 2;
        continue;
      }
      if (state[node] === 1) throw new Unsupported('TreeEnsembleClassifier with a cycle in a tree');
      if (state[node] === 2) continue;
      state[node] = 1;
      stack.push([node, true]);
      if (mode[node] !== LEAF) stack.push([ifTrue[node]!, false], [ifFalse[node]!, false]);
    }
  }
}

/** Which child a branch takes for value v; NaN goes where the node says, else as the comparison says (as in C++). */
function goesTrue(forest: Forest, node: number, v: number): boolean {
  if (v !== v && forest.missingGoesTrue[node] === 1) return true;
  const t = forest.threshold[node]!;
  switch (forest.mode[node]) {
    case 0:
      return v <= t;
    case 1:
      return v < t;
    case 2:
      return v >= t;
    case 3:
      return v > t;
    case 4:
      return v === t;
    default:
      return v !== t;
  }
}

export const treeEnsembleClassifier: KernelFactory = (attrs, ctx) => {
  requireTypes('TreeEnsembleClassifier', ctx.inputTypes, ['float32']);
  const { labels, byStrings } = classLabels(attrs, 'classlabels_int64s');
  const classes = labels.length;
  if (classes < 3) throw new Unsupported('TreeEnsembleClassifier with two classes (binary form)');
  const transform = postTransform('TreeEnsembleClassifier', attrs.string('post_transform', 'NONE'));
  const base = attrs.floats('base_values').map(Math.fround);
  if (base.length !== 0 && base.length !== classes) throw new Unsupported(`TreeEnsembleClassifier with ${base.length} base values for ${classes} classes`);
  const forest = readForest(attrs, classes);
  return {
    outputs: [byStrings ? 'string' : 'int64', 'float32'],
    run([x], memory, wanted) {
      const withScores = wanted[1] !== false;
      const size = rowsAndFeatures(x!.shape);
      if (!size || size.width <= forest.maxFeature) throw new RefusedInput(`TreeEnsembleClassifier reads feature ${forest.maxFeature}, the input has shape ${shapeText(x!.shape)}`);
      const { rows, width } = size;
      const src = x!.data as Float32Array;
      const scores = memory.take('float32', rows * classes);
      const sums = new Float64Array(classes);
      const scored = new Uint8Array(classes);
      const out: (string | bigint)[] = new Array(rows);
      for (let r = 0; r < rows; r++) {
        const row = r * width;
        sums.fill(0);
        scored.fill(0);
        for (let t = 0; t < forest.roots.length; t++) {
          let node = forest.roots[t]!;
          while (forest.mode[node] !== LEAF) node = goesTrue(forest, node, src[row + forest.feature[node]!]!) ? forest.ifTrue[node]! : forest.ifFalse[node]!;
          for (let k = forest.leafStart[node]!; k < forest.leafStart[node + 1]!; k++) {
            const c = forest.weightClass[k]!;
            sums[c] = sums[c]! + forest.weightValue[k]!;
            scored[c] = 1;
          }
        }
        let best = -1;
        for (let c = 0; c < classes; c++) {
          if (base.length > 0) {
            sums[c] = sums[c]! + base[c]!;
            scored[c] = 1;
          }
          const score = Math.fround(sums[c]!);
          scores[r * classes + c] = score;
          // Among the classes some leaf (or a base value) scored, the first of the highest.
          if (scored[c] === 1 && (best < 0 || score > scores[r * classes + best]!)) best = c;
        }
        // No class scored at all: onnxruntime would index its labels with -1; refuse instead.
        if (best < 0) throw new RefusedInput('no tree gave this row a score');
        out[r] = labels[best]!;
        if (withScores) transformRow(transform, scores, r * classes, classes);
      }
      return classifierOutputs(out, byStrings, scores, classes, withScores);
    },
  };
};
