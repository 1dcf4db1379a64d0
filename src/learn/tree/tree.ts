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
  /**
   * Categorical splits: catBits[8i … 8i + 7] is node i's set of category codes that go left (bit c of
   * word c >> 5; codes ≥ 254 share bit 254). All zero, and unused, for a numeric split (isCategorical 0).
   */
  isCategorical?: Uint8Array;
  catBits?: Uint32Array;
  /**
   * Training cover: the (weighted) training rows, or XGBoost's hessian sums, that reached each split node
   * (`nodeCover`, by node) and each leaf (`leafCover`, by leaf). Path-dependent TreeSHAP weighs unseen
   * branches by them. Absent in models saved before explanations (they cannot be explained that way).
   */
  nodeCover?: Float64Array;
  leafCover?: Float64Array;
}

/** Whether a value goes left at a categorical node: its code is in the node's set (missing never is). */
export function categoryGoesLeft(catBits: Uint32Array, node: number, v: number): boolean {
  if (!(v >= 0)) return false;
  const code = v >= 254 ? 254 : Math.floor(v);
  return ((catBits[node * 8 + (code >> 5)]! >>> (code & 31)) & 1) === 1;
}

/** The leaf a row of raw feature values falls into. */
export function leafOf(tree: FlatTree, x: Float64Array | Float32Array, base: number): number {
  if (tree.feature.length === 0) return 0;
  let node = 0;
  for (;;) {
    const v = x[base + tree.feature[node]!]!;
    const goLeft =
      tree.isCategorical !== undefined && tree.isCategorical[node] === 1
        ? categoryGoesLeft(tree.catBits!, node, v)
        : v !== v
          ? tree.defaultLeft[node] === 1
          : v <= tree.threshold[node]!;
    const next = goLeft ? tree.left[node]! : tree.right[node]!;
    if (next < 0) return ~next;
    node = next;
  }
}
