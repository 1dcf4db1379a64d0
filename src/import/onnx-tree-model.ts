import type { Model, Task } from '../learn/contract.js';
import { forestPredictor } from '../learn/tree/forest-predict.js';
import { gbdtPredictor } from '../learn/tree/gbdt-predict.js';
import type { ObjectiveName } from '../learn/tree/objectives.js';
import { packTrees } from '../learn/tree/pack.js';
import type { FlatTree } from '../learn/tree/tree.js';
import type { NodeAttrs } from './onnx-attrs.js';
import { flatTree, readEnsemble, type Ensemble, type OnnxTree, type TreeColumn } from './onnx-trees.js';

/**
 * A TreeEnsembleClassifier or TreeEnsembleRegressor as a gbdt model (margins summed, then the logistic,
 * softmax or identity) or, for classifiers whose leaves already vote probabilities (post_transform NONE,
 * skl2onnx's random forests), a forest model (votes averaged). Any other aggregation is refused.
 */

export interface ConvertedModel {
  model: Model;
  /** Class labels in class-id order (classifiers). */
  labels?: string[];
  /** How the model was read, for the CLI's line. */
  summary: string;
  /** Trees in the ONNX model. */
  trees: number;
  /** Where the model's column j comes from (its raw features are the recipe's). */
  columns?: readonly TreeColumn[];
}

const POST = ['NONE', 'LOGISTIC', 'SOFTMAX', 'SOFTMAX_ZERO', 'PROBIT'] as const;

function baseValues(a: NodeAttrs, outputs: number): number[] {
  const base = a.reals('base_values', []).values;
  if (base.length !== 0 && base.length !== outputs) a.fail(`base_values has ${base.length} values; expected none or ${outputs}`);
  return base.length === 0 ? new Array<number>(outputs).fill(0) : base;
}

/** Each tree's share for output c: a copy of the tree whose leaves hold the votes for class id `id`. */
function treesFor(a: NodeAttrs, e: Ensemble, columns: readonly TreeColumn[], id: number, scale = 1): FlatTree[] {
  return e.trees.map((t: OnnxTree) => flatTree(a, t, columns, (leaf) => (leaf.votes.get(id) ?? 0) * scale));
}

/** Splits per feature, for the package's feature importance (ONNX keeps no gains: those stay 0). */
function splitCounts(trees: readonly FlatTree[], d: number): Float64Array {
  const count = new Float64Array(d);
  for (const t of trees) for (const f of t.feature) count[f]! += 1;
  return count;
}

function gbdt(a: NodeAttrs, task: Exclude<Task, 'anomaly'>, objective: ObjectiveName, perOutput: FlatTree[][], init: number[], d: number, nClasses: number): Model {
  const K = perOutput.length;
  const rounds = perOutput[0]!.length;
  // gbdt keeps round after round, one tree per output each.
  const ordered: FlatTree[] = [];
  for (let r = 0; r < rounds; r++) for (let c = 0; c < K; c++) ordered.push(perOutput[c]![r]!);
  return a.checked({
    kind: gbdtPredictor.kind,
    formatVersion: gbdtPredictor.formatVersion,
    task,
    nFeatures: d,
    nClasses,
    params: { objective, n_estimators: rounds },
    state: { objective, outputs: K, initScore: Float64Array.from(init), ...packTrees(ordered), splitCount: splitCounts(ordered, d), splitGain: new Float64Array(d), bestIteration: rounds },
    training: { iterations: rounds, converged: true, durationMs: 0, finalLoss: 0, warnings: [] },
  });
}

/** A regressor: one target, summed (or averaged) leaf values plus its base value, no post transform. */
export function convertTreeRegressor(a: NodeAttrs, columns: readonly TreeColumn[], d: number): ConvertedModel {
  const e = readEnsemble(a, 'target');
  const targets = a.int('n_targets', 1);
  if (targets !== 1 || [...e.ids].some((id) => id !== 0)) a.fail(`the model has ${Math.max(targets, e.ids.size)} targets; only single-target regressors can be imported`);
  const post = a.string('post_transform', 'NONE');
  if (post !== 'NONE') a.fail(`post_transform ${post} on a regressor is not supported; only NONE`);
  const agg = a.string('aggregate_function', 'SUM');
  if (agg !== 'SUM' && agg !== 'AVERAGE') a.fail(`aggregate_function ${agg} is not supported (a tree's value would not add up); only SUM and AVERAGE`);
  const scale = agg === 'AVERAGE' ? 1 / e.trees.length : 1;
  const model = gbdt(a, 'regression', 'l2', [treesFor(a, e, columns, 0, scale)], baseValues(a, 1), d, 1);
  return { model, summary: `regression, ${agg.toLowerCase()} of the trees (gbdt)`, trees: e.trees.length };
}

/** A classifier: the layouts of skl2onnx and onnxmltools that our gbdt and forest models compute exactly. */
export function convertTreeClassifier(a: NodeAttrs, columns: readonly TreeColumn[], d: number): ConvertedModel {
  const labels = a.labels('classlabels');
  if (labels === undefined) a.fail('the classifier has no classlabels_strings or classlabels_int64s');
  const K = labels.length;
  if (K < 2) a.fail(`the classifier has ${K} class label; expected 2 or more`);
  if (new Set(labels).size !== K) a.fail('the classifier names a class label twice');
  const e = readEnsemble(a, 'class');
  for (const id of e.ids) if (!(id >= 0 && id < K)) a.fail(`a leaf votes for class id ${id}; the model has ${K} class labels`);
  const post = a.string('post_transform', 'NONE');
  if (!(POST as readonly string[]).includes(post)) a.fail(`post_transform '${post}' is not one of ${POST.join(', ')}`);
  const T = e.trees.length;
  const base = a.reals('base_values', []).values;
  const ids = [...e.ids].sort((x, y) => x - y);
  const out = (model: Model, summary: string): ConvertedModel => ({ model, labels, summary, trees: T });

  if (K === 2 && ids.length === 1 && ids[0] === 0) {
    // One score for two classes, which ONNX Runtime reads by its weights' signs: all ≥ 0 with NONE, P(class 1)
    // (a binary random forest); mixed with LOGISTIC, class 1's margin (onnxmltools' binary boosters).
    if (base.length > 1) a.fail(`base_values has ${base.length} values; a one-score binary classifier has none or 1`);
    if (post === 'NONE' && (base[0] ?? 0) !== 0) a.fail('a base value added to probability votes (post_transform NONE) is not supported');
    if (post === 'NONE' && e.allPositive) return out(forestOf(a, e, columns, K, d, 0), 'binary, the trees\' votes for class 1 summed (forest)');
    if (post === 'LOGISTIC' && !e.allPositive) return out(gbdt(a, 'binary', 'binary', [treesFor(a, e, columns, 0)], [base[0] ?? 0], d, 2), 'binary, logistic of the summed margins (gbdt)');
    a.fail(`a binary classifier with one score, post_transform ${post} and ${e.allPositive ? 'weights all ≥ 0' : 'weights of both signs'} is not supported; supported: NONE with weights ≥ 0 (probabilities), LOGISTIC with weights of both signs (margins)`);
  }
  if (ids.length !== K) a.fail(`the leaves vote for ${ids.length} of the ${K} classes; expected one score for class 0 (binary) or one per class`);
  if (post === 'SOFTMAX' && K > 2) {
    return out(gbdt(a, 'multiclass', 'multiclass', ids.map((c) => treesFor(a, e, columns, c)), baseValues(a, K), d, K), `${K} classes, softmax of the summed margins (gbdt)`);
  }
  if (post !== 'NONE') a.fail(`post_transform ${post} with ${K} class scores is not supported; supported: NONE (votes that are probabilities), SOFTMAX with 3 or more classes`);
  if (base.some((b) => b !== 0)) a.fail('base_values with post_transform NONE are not supported (the votes would not be probabilities)');
  return out(forestOf(a, e, columns, K, d), `${K} classes, the trees' probability votes summed (forest)`);
}

/**
 * Leaves that vote each class's probability share (skl2onnx: the leaf's class fractions / number of trees)
 * as a forest, which averages: each leaf value is multiplied back by the number of trees.
 */
function forestOf(a: NodeAttrs, e: Ensemble, columns: readonly TreeColumn[], K: number, d: number, positive = 1): Model {
  const T = e.trees.length;
  if (K === 2 && e.ids.size === 2) {
    // Our binary forest gives P(class 0) as 1 − P(class 1): exact only when every row's votes sum to 1.
    let total = 0;
    for (const t of e.trees) {
      const sums = [...t.nodes.values()].filter((n) => n.mode === 'LEAF').map((n) => (n.votes.get(0) ?? 0) + (n.votes.get(1) ?? 0));
      const lo = Math.min(...sums);
      const hi = Math.max(...sums);
      if (hi - lo > 1e-6) a.fail(`tree ${t.id}'s leaves vote totals from ${lo} to ${hi}; a binary classifier without post_transform is imported when every leaf of a tree votes the same total`);
      total += hi;
    }
    if (Math.abs(total - 1) > 1e-5) a.fail(`the trees' votes add up to ${total}, not 1: the outputs are not probabilities`);
  }
  const perClass = K === 2 ? [treesFor(a, e, columns, positive, T)] : Array.from({ length: K }, (_, c) => treesFor(a, e, columns, c, T));
  const outputs = perClass.length;
  const ordered: FlatTree[] = [];
  for (let r = 0; r < T; r++) for (let c = 0; c < outputs; c++) ordered.push(perClass[c]![r]!);
  return a.checked({
    kind: forestPredictor.kind,
    formatVersion: forestPredictor.formatVersion,
    task: K === 2 ? 'binary' : 'multiclass',
    nFeatures: d,
    nClasses: K,
    params: { n_estimators: T },
    state: { outputs, ...packTrees(ordered), splitCount: splitCounts(ordered, d), splitGain: new Float64Array(d) },
    training: { iterations: T, converged: true, durationMs: 0, finalLoss: 0, warnings: [] },
  });
}
