import type { FlatTree } from '../learn/tree/tree.js';
import type { NodeAttrs } from './onnx-attrs.js';
import { leftThreshold } from './onnx-thresholds.js';

/**
 * The trees of a TreeEnsembleClassifier or TreeEnsembleRegressor (ai.onnx.ml opset 1 to 3), read from
 * its nodes_* tuples and its leaf votes (class_* or target_*), and laid out as our FlatTrees.
 */

const MODES = ['BRANCH_LEQ', 'BRANCH_LT', 'BRANCH_GTE', 'BRANCH_GT', 'BRANCH_EQ', 'BRANCH_NEQ', 'LEAF'] as const;
type Mode = (typeof MODES)[number];

export interface OnnxTreeNode {
  mode: Mode;
  feature: number;
  value: number;
  trueId: number;
  falseId: number;
  missingTrue: boolean;
  /** A leaf's votes: class (or target) id → summed weight. */
  votes: Map<number, number>;
}

export interface OnnxTree {
  id: number;
  root: number;
  nodes: Map<number, OnnxTreeNode>;
}

/** Where a tree's input column j comes from: raw feature `raw`, cast to float32 before the comparison or not. */
export interface TreeColumn {
  raw: number;
  float32: boolean;
}

export interface Ensemble {
  trees: OnnxTree[];
  /** The class (or target) ids that any leaf votes for. */
  ids: Set<number>;
  /** Whether every vote's weight is ≥ 0 (ONNX Runtime's binary classifiers branch on it). */
  allPositive: boolean;
}

/** Reads the ensemble; `votes` is 'class' for classifiers, 'target' for regressors. */
export function readEnsemble(a: NodeAttrs, votes: 'class' | 'target'): Ensemble {
  const treeIds = a.ints('nodes_treeids');
  const nodeIds = a.ints('nodes_nodeids');
  const features = a.ints('nodes_featureids');
  const modes = a.strings('nodes_modes');
  const values = a.reals('nodes_values');
  const trueIds = a.ints('nodes_truenodeids');
  const falseIds = a.ints('nodes_falsenodeids');
  const missing = a.ints('nodes_missing_value_tracks_true', []);
  const n = treeIds.length;
  for (const [name, list] of [['nodes_nodeids', nodeIds], ['nodes_featureids', features], ['nodes_modes', modes], ['nodes_values', values.values], ['nodes_truenodeids', trueIds], ['nodes_falsenodeids', falseIds]] as const) {
    if (list.length !== n) a.fail(`${name} has ${list.length} entries; nodes_treeids has ${n}`);
  }
  if (missing.length !== 0 && missing.length !== n) a.fail(`nodes_missing_value_tracks_true has ${missing.length} entries; nodes_treeids has ${n}`);
  if (n === 0) a.fail('the ensemble has no nodes');
  const byId = new Map<number, OnnxTree>();
  for (let i = 0; i < n; i++) {
    const mode = modes[i] as Mode;
    if (!MODES.includes(mode)) a.fail(`node ${nodeIds[i]} of tree ${treeIds[i]} has mode '${modes[i]}'; the spec's modes are ${MODES.join(', ')}`);
    let tree = byId.get(treeIds[i]!);
    if (tree === undefined) byId.set(treeIds[i]!, (tree = { id: treeIds[i]!, root: -1, nodes: new Map() }));
    if (tree.nodes.has(nodeIds[i]!)) a.fail(`tree ${treeIds[i]} defines node ${nodeIds[i]} twice`);
    if (mode !== 'LEAF' && Number.isNaN(values.values[i]!)) a.fail(`node ${nodeIds[i]} of tree ${treeIds[i]} has a NaN threshold`);
    tree.nodes.set(nodeIds[i]!, { mode, feature: features[i]!, value: values.values[i]!, trueId: trueIds[i]!, falseId: falseIds[i]!, missingTrue: missing[i] === 1, votes: new Map() });
  }
  const vTrees = a.ints(`${votes}_treeids`);
  const vNodes = a.ints(`${votes}_nodeids`);
  const vIds = a.ints(`${votes}_ids`);
  const vWeights = a.reals(`${votes}_weights`);
  for (const [name, list] of [[`${votes}_nodeids`, vNodes], [`${votes}_ids`, vIds], [`${votes}_weights`, vWeights.values]] as const) {
    if (list.length !== vTrees.length) a.fail(`${name} has ${list.length} entries; ${votes}_treeids has ${vTrees.length}`);
  }
  const ids = new Set<number>();
  let allPositive = true;
  vTrees.forEach((t, k) => {
    const node = byId.get(t)?.nodes.get(vNodes[k]!);
    if (node === undefined) a.fail(`a vote names node ${vNodes[k]} of tree ${t}, which is not defined`);
    if (node.mode !== 'LEAF') a.fail(`a vote names node ${vNodes[k]} of tree ${t}, which is a ${node.mode} split, not a leaf`);
    const w = vWeights.values[k]!;
    if (!Number.isFinite(w)) a.fail(`a vote of node ${vNodes[k]} of tree ${t} has weight ${w}`);
    node.votes.set(vIds[k]!, (node.votes.get(vIds[k]!) ?? 0) + w);
    ids.add(vIds[k]!);
    if (w < 0) allPositive = false;
  });
  const trees = [...byId.values()];
  for (const tree of trees) tree.root = rootOf(a, tree);
  return { trees, ids, allPositive };
}

/** The one node that no other node of the tree points to. */
function rootOf(a: NodeAttrs, tree: OnnxTree): number {
  const children = new Set<number>();
  for (const node of tree.nodes.values()) if (node.mode !== 'LEAF') children.add(node.trueId).add(node.falseId);
  const roots = [...tree.nodes.keys()].filter((id) => !children.has(id));
  if (roots.length !== 1) a.fail(`tree ${tree.id} has ${roots.length === 0 ? 'no root (its nodes form a cycle)' : `${roots.length} roots`}`);
  return roots[0]!;
}

/**
 * One tree as a FlatTree whose leaves hold `value(leaf)`. Nodes are numbered depth first, so every child
 * comes after its parent. ONNX stores no training cover: each branch gets half its parent's cover, so
 * TreeSHAP weighs both sides of every split evenly.
 */
export function flatTree(a: NodeAttrs, tree: OnnxTree, columns: readonly TreeColumn[], value: (leaf: OnnxTreeNode) => number): FlatTree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const defaultLeft: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const nodeCover: number[] = [];
  const leafValue: number[] = [];
  const leafCover: number[] = [];
  const where = (id: number): string => `node ${id} of tree ${tree.id}`;
  const split = (raw: number, t: number, nanLeft: boolean, cover: number): number => {
    feature.push(raw);
    threshold.push(t);
    defaultLeft.push(nanLeft ? 1 : 0);
    left.push(0);
    right.push(0);
    nodeCover.push(cover);
    if (feature.length > 4 * tree.nodes.size + 16) a.fail(`tree ${tree.id} does not form a tree (a node is reached more than once)`);
    return feature.length - 1;
  };
  const visit = (id: number, cover: number, depth: number): number => {
    const node = tree.nodes.get(id);
    if (node === undefined) a.fail(`a split of tree ${tree.id} leads to node ${id}, which is not defined`);
    if (depth > tree.nodes.size) a.fail(`tree ${tree.id} has a cycle through ${where(id)}`);
    if (node.mode === 'LEAF') {
      leafValue.push(value(node));
      leafCover.push(cover);
      return ~(leafValue.length - 1);
    }
    const column = columns[node.feature];
    if (column === undefined) a.fail(`${where(id)} splits on feature ${node.feature}; the input has ${columns.length}`);
    const bound = (strict: boolean): number => leftThreshold(node.value, strict, column.float32) ?? a.fail(`${where(id)}: ${node.mode} ${node.value} is never true`);
    if (node.mode === 'BRANCH_EQ' || node.mode === 'BRANCH_NEQ') {
      // x == t ⟺ x <= t and not x < t: two splits, with the "not equal" subtree under both.
      const eq = node.mode === 'BRANCH_EQ';
      const inside = eq ? node.trueId : node.falseId;
      const outside = eq ? node.falseId : node.trueId;
      // A missing value compares unequal (NEQ true), unless it tracks the true branch.
      const nanInside = eq && node.missingTrue;
      const top = split(column.raw, bound(false), nanInside, cover);
      const below = split(column.raw, bound(true), !nanInside, cover / 2);
      left[top] = below;
      left[below] = visit(outside, cover / 4, depth + 1);
      right[below] = visit(inside, cover / 4, depth + 1);
      right[top] = visit(outside, cover / 2, depth + 1);
      return top;
    }
    // LEQ and LT send the true branch left; GTE (not <) and GT (not <=) send it right.
    const trueLeft = node.mode === 'BRANCH_LEQ' || node.mode === 'BRANCH_LT';
    const strict = node.mode === 'BRANCH_LT' || node.mode === 'BRANCH_GTE';
    // A missing value fails every comparison: it takes the false branch unless it tracks the true one.
    const i = split(column.raw, bound(strict), trueLeft === node.missingTrue, cover);
    const [l, r] = trueLeft ? [node.trueId, node.falseId] : [node.falseId, node.trueId];
    left[i] = visit(l, cover / 2, depth + 1);
    right[i] = visit(r, cover / 2, depth + 1);
    return i;
  };
  const root = visit(tree.root, 1, 0);
  if (root < 0) return { feature: new Int32Array(0), threshold: new Float64Array(0), defaultLeft: new Uint8Array(0), left: new Int32Array(0), right: new Int32Array(0), leafValue: Float64Array.from(leafValue), nodeCover: new Float64Array(0), leafCover: Float64Array.of(1) };
  return {
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    defaultLeft: Uint8Array.from(defaultLeft),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    leafValue: Float64Array.from(leafValue),
    nodeCover: Float64Array.from(nodeCover),
    leafCover: Float64Array.from(leafCover),
  };
}
