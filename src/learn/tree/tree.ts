/**
 * A trained tree laid out flat, the way batch prediction walks it: for node i, feature[i],
 * threshold[i] (go left when x ≤ threshold), defaultLeft[i] (where missing values go), and
 * children left[i] / right[i]; a child c < 0 is leaf ~c with value leafValue[~c].
 * A single-leaf tree has no nodes and one leaf.
 */
export interface FlatTree {
  feature: Int32Array;
  threshold: Float64Array;
  defaultLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  leafValue: Float64Array;
}

/** The leaf a row of raw feature values falls into. */
export function leafOf(tree: FlatTree, x: Float64Array | Float32Array, base: number): number {
  if (tree.feature.length === 0) return 0;
  let node = 0;
  for (;;) {
    const v = x[base + tree.feature[node]!]!;
    const goLeft = v !== v ? tree.defaultLeft[node] === 1 : v <= tree.threshold[node]!;
    const next = goLeft ? tree.left[node]! : tree.right[node]!;
    if (next < 0) return ~next;
    node = next;
  }
}

/**
 * Adds each tree's leaf value to the rows' scores. Rows are walked in blocks, tree by tree within a
 * block, so a block's rows stay in cache while every tree visits them.
 * Trees are grouped by output: tree t adds to output t % outputs.
 */
export function addTreeScores(trees: readonly FlatTree[], outputs: number, X: Float64Array | Float32Array, n: number, d: number, scores: Float64Array): void {
  const BLOCK = 256;
  for (let start = 0; start < n; start += BLOCK) {
    const end = Math.min(n, start + BLOCK);
    for (let t = 0; t < trees.length; t++) {
      const tree = trees[t]!;
      const out = t % outputs;
      const { feature, threshold, defaultLeft, left, right, leafValue } = tree;
      if (feature.length === 0) {
        for (let i = start; i < end; i++) scores[i * outputs + out] += leafValue[0]!;
        continue;
      }
      for (let i = start; i < end; i++) {
        const base = i * d;
        let node = 0;
        for (;;) {
          const v = X[base + feature[node]!]!;
          const next = (v !== v ? defaultLeft[node] === 1 : v <= threshold[node]!) ? left[node]! : right[node]!;
          if (next < 0) {
            scores[i * outputs + out] += leafValue[~next]!;
            break;
          }
          node = next;
        }
      }
    }
  }
}
