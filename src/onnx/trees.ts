import { HyperplaneError } from '../errors.js';
import type { FlatTree } from '../learn/tree/tree.js';
import { categorySets, membership, setKey, type CategorySet } from './category-sets.js';
import { doubleTensor, ML_DOMAIN, type GraphBuilder } from './graph.js';

/**
 * Trees as one ai.onnx.ml TreeEnsembleRegressor, with double thresholds (nodes_values_as_tensor) and the
 * learned direction for missing values (nodes_missing_value_tracks_true).
 *
 * ONNX Runtime's tree ops output float32: a sum of leaf values in the thousands (a regression of prices)
 * would be off by 1e-4. So each leaf value is split in two, each summed in a target of its own: a coarse
 * part, a multiple of a power of two q chosen so that every partial sum is a multiple of q below 2^24·q,
 * which float32 holds exactly; and the remainder (at most q/2 a tree, q about 2^-22 of the largest sum),
 * whose float32 rounding costs some trees · 2^-47 of that sum. The two are added as doubles: 900 trees
 * predicting values in the thousands give Hyperplane's numbers to 1e-8, where one float32 sum misses by 1e-4.
 */

/**
 * The trees' leaf values summed by output, tree t adding to output t mod k: a double [N, k]. `X` is the
 * model's feature matrix, a double [N, d].
 */
export function treeSums(g: GraphBuilder, X: string, d: number, trees: readonly FlatTree[], k: number, name: string): string {
  const sets = categorySets(trees, d);
  const features = sets.length === 0 ? X : g.op('Concat', [X, ...membership(g, X, sets)], { axis: { int: 1 } }, { name: `${name}_with_sets` });
  const a = ensembleAttributes(trees, sets, quanta(trees, k), k);
  const parts = g.op(
    'TreeEnsembleRegressor',
    [features],
    {
      nodes_treeids: { ints: a.treeIds },
      nodes_nodeids: { ints: a.nodeIds },
      nodes_featureids: { ints: a.featureIds },
      nodes_modes: { strings: a.modes },
      nodes_values_as_tensor: { tensor: doubleTensor(a.values, [a.values.length]) },
      nodes_truenodeids: { ints: a.trueIds },
      nodes_falsenodeids: { ints: a.falseIds },
      nodes_missing_value_tracks_true: { ints: a.missingTrue },
      target_treeids: { ints: a.targetTrees },
      target_nodeids: { ints: a.targetNodes },
      target_ids: { ints: a.targetIds },
      target_weights_as_tensor: { tensor: doubleTensor(a.targetWeights, [a.targetWeights.length]) },
      n_targets: { int: 2 * k },
      aggregate_function: { string: 'SUM' },
      post_transform: { string: 'NONE' },
    },
    { domain: ML_DOMAIN, name: `${name}_trees` },
  );
  // Targets 0 … k − 1 hold the coarse sums, k … 2k − 1 the remainders.
  const both = g.cast(parts, 'double');
  const coarse = g.op('Slice', [both, g.int64s([0]), g.int64s([k]), g.int64s([1])], {}, { name: `${name}_coarse` });
  const fine = g.op('Slice', [both, g.int64s([k]), g.int64s([2 * k]), g.int64s([1])], {}, { name: `${name}_fine` });
  return g.op('Add', [coarse, fine], {}, { name: `${name}_sum` });
}

/** Beyond this a sum of leaf values is no number a model makes (float32 ends near 3.4e38). */
const LARGEST_SUM = 1e36;

/**
 * Each output's quantum q, a power of two: the largest partial sum of coarse parts stays below 2^23·q
 * (bounded by the sum of each tree's largest leaf, plus q/2 a tree), so float32 holds every partial sum.
 */
function quanta(trees: readonly FlatTree[], k: number): number[] {
  const bound = new Array<number>(k).fill(0);
  trees.forEach((t, i) => {
    let largest = 0;
    for (const v of t.leafValue) largest = Math.max(largest, Math.abs(v));
    bound[i % k] += largest;
  });
  return bound.map((b) => {
    if (!(b <= LARGEST_SUM)) throw new HyperplaneError(`the model's leaf values add up to ${b.toExponential(2)}, beyond what the ONNX tree op's float32 output holds`);
    // 2^-100 at the least: a normal float32 however small the leaves.
    return 2 ** Math.max(-100, Math.ceil(Math.log2(Math.max(b, 1e-300))) - 22);
  });
}

interface EnsembleAttributes {
  treeIds: number[];
  nodeIds: number[];
  featureIds: number[];
  modes: string[];
  values: number[];
  trueIds: number[];
  falseIds: number[];
  missingTrue: number[];
  targetTrees: number[];
  targetNodes: number[];
  targetIds: number[];
  targetWeights: number[];
}

/**
 * The ensemble's node and target lists. In tree t, split i is node i and leaf l is node splits + l. A
 * numeric split goes left (true) when x ≤ threshold, missing values where defaultLeft says; a categorical
 * one tests its membership column: not a member (≤ 0.5, true) goes right. A leaf of tree t adds its coarse
 * part to target t mod k and its remainder to target k + t mod k.
 */
function ensembleAttributes(trees: readonly FlatTree[], sets: readonly CategorySet[], quanta: readonly number[], k: number): EnsembleAttributes {
  const a: EnsembleAttributes = { treeIds: [], nodeIds: [], featureIds: [], modes: [], values: [], trueIds: [], falseIds: [], missingTrue: [], targetTrees: [], targetNodes: [], targetIds: [], targetWeights: [] };
  const column = new Map(sets.map((s) => [setKey(s.feature, s.bits), s.column]));
  trees.forEach((t, tree) => {
    const out = tree % k;
    const q = quanta[out]!;
    const m = t.feature.length;
    const id = (child: number): number => (child < 0 ? m + ~child : child);
    const push = (node: number, feature: number, mode: string, value: number, yes: number, no: number, missingYes: number): void => {
      a.treeIds.push(tree);
      a.nodeIds.push(node);
      a.featureIds.push(feature);
      a.modes.push(mode);
      a.values.push(value);
      a.trueIds.push(yes);
      a.falseIds.push(no);
      a.missingTrue.push(missingYes);
    };
    for (let i = 0; i < m; i++) {
      if (t.isCategorical?.[i] === 1) {
        const at = column.get(setKey(t.feature[i]!, t.catBits!.slice(i * 8, i * 8 + 8)))!;
        push(i, at, 'BRANCH_LEQ', 0.5, id(t.right[i]!), id(t.left[i]!), 0);
      } else push(i, t.feature[i]!, 'BRANCH_LEQ', t.threshold[i]!, id(t.left[i]!), id(t.right[i]!), t.defaultLeft[i] === 1 ? 1 : 0);
    }
    for (let l = 0; l < t.leafValue.length; l++) {
      push(m + l, 0, 'LEAF', 0, 0, 0, 0);
      // v / q and back are exact (q is a power of two), and so is v − coarse (v's low bits).
      const v = t.leafValue[l]!;
      const coarse = Math.round(v / q) * q;
      a.targetTrees.push(tree, tree);
      a.targetNodes.push(m + l, m + l);
      a.targetIds.push(out, k + out);
      a.targetWeights.push(coarse, v - coarse);
    }
  });
  return a;
}
