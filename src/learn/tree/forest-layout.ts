import { categoryGoesLeft, type FlatTree } from './tree.js';

/**
 * All trees of a model in one set of arrays, laid out for walking: node i of the forest has
 * feature[i], threshold[i], missingRight[i] (1 when missing values go right) and two children at
 * children[2i] (left) and children[2i + 1] (right). A child c ≥ 0 is a node; c < 0 is leaf ~c, whose
 * value is leafValue[~c]. A tree with no split is a root that is a leaf: roots[t] < 0.
 */
export interface ForestLayout {
  roots: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  missingRight: Uint8Array;
  children: Int32Array;
  leafValue: Float64Array;
  outputs: number;
  /** Per node: 1 for a categorical split, whose left set is catBits[8i … 8i + 7]; absent when no tree has one. */
  isCategorical?: Uint8Array;
  catBits?: Uint32Array;
}

export function layoutForest(trees: readonly FlatTree[], outputs: number): ForestLayout {
  let nodes = 0;
  let leaves = 0;
  for (const t of trees) {
    nodes += t.feature.length;
    leaves += t.leafValue.length;
  }
  const roots = new Int32Array(trees.length);
  const feature = new Int32Array(nodes);
  const threshold = new Float64Array(nodes);
  const missingRight = new Uint8Array(nodes);
  const children = new Int32Array(2 * nodes);
  const leafValue = new Float64Array(leaves);
  const anyCategorical = trees.some((t) => t.isCategorical !== undefined && t.isCategorical.some((c) => c === 1));
  const isCategorical = anyCategorical ? new Uint8Array(nodes) : undefined;
  const catBits = anyCategorical ? new Uint32Array(nodes * 8) : undefined;
  let nodeBase = 0;
  let leafBase = 0;
  trees.forEach((t, k) => {
    const remap = (c: number): number => (c < 0 ? ~(~c + leafBase) : c + nodeBase);
    roots[k] = t.feature.length === 0 ? ~leafBase : nodeBase;
    for (let i = 0; i < t.feature.length; i++) {
      const at = nodeBase + i;
      feature[at] = t.feature[i]!;
      threshold[at] = t.threshold[i]!;
      missingRight[at] = t.defaultLeft[i] === 1 ? 0 : 1;
      children[2 * at] = remap(t.left[i]!);
      children[2 * at + 1] = remap(t.right[i]!);
      if (isCategorical !== undefined && t.isCategorical?.[i] === 1) {
        isCategorical[at] = 1;
        catBits!.set(t.catBits!.subarray(i * 8, i * 8 + 8), at * 8);
      }
    }
    leafValue.set(t.leafValue, leafBase);
    nodeBase += t.feature.length;
    leafBase += t.leafValue.length;
  });
  return { roots, feature, threshold, missingRight, children, leafValue, outputs, ...(isCategorical !== undefined ? { isCategorical, catBits: catBits! } : {}) };
}

/**
 * Adds every tree's leaf value to each row's scores. Rows are walked in blocks, tree by tree, so a
 * block stays in cache while all trees visit it.
 */
export function addForestScores(forest: ForestLayout, X: Float64Array | Float32Array, n: number, d: number, scores: Float64Array): void {
  const { roots, feature, threshold, missingRight, children, leafValue, outputs, isCategorical, catBits } = forest;
  const BLOCK = 256;
  for (let start = 0; start < n; start += BLOCK) {
    const end = Math.min(n, start + BLOCK);
    for (let t = 0; t < roots.length; t++) {
      const root = roots[t]!;
      const out = t % outputs;
      if (root < 0) {
        const v = leafValue[~root]!;
        for (let i = start; i < end; i++) scores[i * outputs + out] += v;
        continue;
      }
      for (let i = start; i < end; i++) {
        const base = i * d;
        let node = root;
        do {
          const v = X[base + feature[node]!]!;
          if (isCategorical !== undefined && isCategorical[node] === 1) {
            node = categoryGoesLeft(catBits!, node, v) ? children[2 * node]! : children[2 * node + 1]!;
            continue;
          }
          // A plain branch: the arithmetic child choice measured 30% slower (798 vs 605 ms on 200k × 100 trees).
          node = (v !== v ? missingRight[node] === 0 : v <= threshold[node]!) ? children[2 * node]! : children[2 * node + 1]!;
        } while (node >= 0);
        scores[i * outputs + out] += leafValue[~node]!;
      }
    }
  }
}
