import type { Contributions, Matrix } from '../contract.js';
import { LearnError } from '../errors.js';
import { categoryGoesLeft, leafOf, type FlatTree } from './tree.js';
import { treeDepth } from './tree-shap.js';

/**
 * Exact interventional TreeSHAP (Lundberg et al. 2020, "From local explanations to global understanding
 * with explainable AI for trees", the independent / interventional algorithm).
 *
 * For a row x and one background row z, the value of a feature set S is the tree's output at the hybrid
 * row that takes x's values on S and z's elsewhere. The hybrid reaches a leaf exactly when, on the leaf's
 * path, every split where x and z go different ways is taken the way x goes when its feature is in S and
 * the way z goes when it is not — a feature split on twice must take the same side both times. So a
 * leaf is reached iff S ⊇ A and S ∩ B = ∅, where A are the features whose x-branch the path takes and B
 * those whose z-branch it takes; splits where x and z agree add no condition. That game, v·1[A ⊆ S,
 * B ∩ S = ∅], has Shapley value v·(a−1)!·b!/(a+b)! for each feature of A (the share of orders in which
 * it comes after the rest of A and before all of B) and −v·a!·(b−1)!/(a+b)! for each feature of B.
 *
 * One depth-first pass over the tree per (x, z) follows agreeing splits, and at a disagreeing split on a
 * feature not yet decided explores x's branch with the feature in A and z's branch with it in B. Each
 * subtree returns the sums over its reachable leaves of v·wA(a, b) and v·wB(a, b); a feature decided at a
 * split takes the first sum of its x-branch and minus the second sum of its z-branch, since it is in A
 * (or B) for every leaf below. That is O(nodes visited) per tree, row and background row, with no
 * allocation; the values are averaged over the background rows.
 */
export class InterventionalTreeShap {
  private readonly trees: readonly FlatTree[];
  private readonly outputs: number;
  private readonly d: number;
  private readonly nBackground: number;
  /** Where tree t's nodes start in the direction arrays. */
  private readonly nodeOffset: Int32Array;
  private readonly totalNodes: number;
  /** zLeft[b * totalNodes + nodeOffset[t] + node]: whether background row b goes left at that node. */
  private readonly zLeft: Uint8Array;
  /** The explained row's directions, filled per row. */
  private readonly xLeft: Uint8Array;
  /** Per feature: 0 undecided, 1 from x (in S), 2 from z (out of S) on the current path. */
  private readonly status: Uint8Array;
  /** Shapley weights by (a, b), at a * width + b: wA for a feature of A, wB for one of B. */
  private readonly wA: Float64Array;
  private readonly wB: Float64Array;
  private readonly width: number;
  /** Per output: the mean over background rows of Σ its trees' leaf values (unscaled). */
  readonly backgroundMean: Float64Array;
  // The current traversal's tree, offsets and output, and the subtree sums returned by recurse().
  private tree!: FlatTree;
  private xBase = 0;
  private zBase = 0;
  private phi!: Float64Array;
  private phiOffset = 0;
  private retA = 0;
  private retB = 0;

  constructor(trees: readonly FlatTree[], outputs: number, background: Matrix) {
    if (background.n < 1) throw new LearnError('interventional TreeSHAP needs at least one background row');
    this.trees = trees;
    this.outputs = outputs;
    this.d = background.d;
    this.nBackground = background.n;
    this.nodeOffset = new Int32Array(trees.length + 1);
    let maxDepth = 0;
    for (let t = 0; t < trees.length; t++) {
      this.nodeOffset[t + 1] = this.nodeOffset[t]! + trees[t]!.feature.length;
      maxDepth = Math.max(maxDepth, treeDepth(trees[t]!));
    }
    this.totalNodes = this.nodeOffset[trees.length]!;
    this.xLeft = new Uint8Array(this.totalNodes);
    this.zLeft = new Uint8Array(this.totalNodes * background.n);
    for (let b = 0; b < background.n; b++) fillDirections(trees, this.nodeOffset, background.data, b * background.d, this.zLeft, b * this.totalNodes);
    this.backgroundMean = new Float64Array(outputs);
    for (let t = 0; t < trees.length; t++) {
      const tree = trees[t]!;
      let sum = 0;
      for (let b = 0; b < background.n; b++) sum += tree.leafValue[leafOf(tree, background.data, b * background.d)]!;
      this.backgroundMean[t % outputs] += sum / background.n;
    }
    this.status = new Uint8Array(this.d);
    // A path holds at most min(depth, d) distinct features: a + b never exceeds it.
    const m = Math.min(maxDepth, this.d);
    this.width = m + 1;
    this.wA = new Float64Array(this.width * this.width);
    this.wB = new Float64Array(this.width * this.width);
    // binom[n][k] by Pascal's rule, in doubles (huge ones only make weights round to 0, as they nearly are).
    const binom: Float64Array[] = [];
    for (let n = 0; n <= m; n++) {
      const row = new Float64Array(n + 1);
      row[0] = 1;
      row[n] = 1;
      for (let k = 1; k < n; k++) row[k] = binom[n - 1]![k - 1]! + binom[n - 1]![k]!;
      binom.push(row);
    }
    for (let a = 0; a <= m; a++) {
      for (let b = 0; a + b <= m; b++) {
        // (a−1)! b! / (a+b)! = 1 / (a · C(a+b, a)); a! (b−1)! / (a+b)! = 1 / (b · C(a+b, b)).
        if (a > 0) this.wA[a * this.width + b] = 1 / (a * binom[a + b]![a]!);
        if (b > 0) this.wB[a * this.width + b] = 1 / (b * binom[a + b]![b]!);
      }
    }
  }

  /**
   * Adds scale × each feature's interventional contribution, averaged over the background rows, for the
   * row at x[rowOffset …] into phi[phiOffset + o * d + feature] for each output o. The row's block of
   * phi (outputs × d from phiOffset) must start at 0: it is scaled in place at the end.
   */
  addRow(x: Float64Array | Float32Array, rowOffset: number, phi: Float64Array, phiOffset: number, scale: number): void {
    const { trees, outputs, d, totalNodes } = this;
    fillDirections(trees, this.nodeOffset, x, rowOffset, this.xLeft, 0);
    this.phi = phi;
    for (let t = 0; t < trees.length; t++) {
      const tree = trees[t]!;
      if (tree.feature.length === 0) continue;
      this.tree = tree;
      this.xBase = this.nodeOffset[t]!;
      this.phiOffset = phiOffset + (t % outputs) * d;
      for (let b = 0; b < this.nBackground; b++) {
        this.zBase = b * totalNodes + this.xBase;
        this.recurse(0, 0, 0);
      }
    }
    const factor = scale / this.nBackground;
    for (let k = phiOffset; k < phiOffset + outputs * d; k++) phi[k] *= factor;
  }

  /** Visits `node` (≥ 0 a split, < 0 leaf ~node) with a features from x and b from z decided above. */
  private recurse(node: number, a: number, b: number): void {
    const tree = this.tree;
    const { status, xLeft, zLeft, xBase, zBase } = this;
    // Splits where the hybrid's way is already settled (x and z agree, or the feature is decided) are a loop.
    let f = 0;
    let xl = 0;
    let zl = 0;
    for (;;) {
      if (node < 0) {
        const v = tree.leafValue[~node]!;
        const k = a * this.width + b;
        this.retA = a > 0 ? v * this.wA[k]! : 0;
        this.retB = b > 0 ? v * this.wB[k]! : 0;
        return;
      }
      f = tree.feature[node]!;
      const s = status[f]!;
      xl = xLeft[xBase + node]!;
      zl = zLeft[zBase + node]!;
      const way = s === 1 ? xl : s === 2 ? zl : xl === zl ? xl : -1;
      if (way < 0) break;
      node = way === 1 ? tree.left[node]! : tree.right[node]!;
    }
    // Undecided and x, z part: x's branch puts f in S, z's branch keeps it out.
    status[f] = 1;
    this.recurse(xl === 1 ? tree.left[node]! : tree.right[node]!, a + 1, b);
    const xA = this.retA;
    const xB = this.retB;
    status[f] = 2;
    this.recurse(zl === 1 ? tree.left[node]! : tree.right[node]!, a, b + 1);
    status[f] = 0;
    this.phi[this.phiOffset + f] += xA - this.retB;
    this.retA += xA;
    this.retB += xB;
  }
}


/** For every node of every tree, whether the row at x[rowOffset …] goes left, into out[outOffset + nodeOffset[t] + node]. */
function fillDirections(trees: readonly FlatTree[], nodeOffset: Int32Array, x: Float64Array | Float32Array, rowOffset: number, out: Uint8Array, outOffset: number): void {
  for (let t = 0; t < trees.length; t++) {
    const tree = trees[t]!;
    const at = outOffset + nodeOffset[t]!;
    const cat = tree.isCategorical;
    for (let node = 0; node < tree.feature.length; node++) {
      const v = x[rowOffset + tree.feature[node]!]!;
      const left = cat !== undefined && cat[node] === 1 ? categoryGoesLeft(tree.catBits!, node, v) : v !== v ? tree.defaultLeft[node] === 1 : v <= tree.threshold[node]!;
      out[at + node] = left ? 1 : 0;
    }
  }
}

/**
 * Interventional contributions of an ensemble whose margin for output o is init[o] + scale × Σ the leaf
 * values of trees t with t mod outputs = o, measured against `background` (rows of the same features):
 * base[o] is the background rows' mean margin, and base + Σ contributions is each row's margin. Needs no
 * training covers.
 */
export function explainTreesInterventional(learner: string, trees: readonly FlatTree[], outputs: number, init: Float64Array, scale: number, X: Matrix, background: Matrix, link: Contributions['link']): Contributions {
  if (background.d !== X.d) throw new LearnError(`${learner}: the background has ${background.d} features but X has ${X.d}`);
  if (background.n < 1) throw new LearnError(`${learner}: the background for interventional explanations has no rows`);
  const shap = new InterventionalTreeShap(trees, outputs, background);
  const base = Float64Array.from(init);
  for (let o = 0; o < outputs; o++) base[o] += scale * shap.backgroundMean[o]!;
  const { n, d, data } = X;
  const values = new Float64Array(n * outputs * d);
  const margin = new Float64Array(n * outputs);
  for (let i = 0; i < n; i++) {
    for (let o = 0; o < outputs; o++) margin[i * outputs + o] = init[o]!;
    for (let t = 0; t < trees.length; t++) {
      const tree = trees[t]!;
      margin[i * outputs + (t % outputs)] += scale * tree.leafValue[leafOf(tree, data, i * d)]!;
    }
    shap.addRow(data, i * d, values, i * outputs * d, scale);
  }
  return { outputs, base, values, margin, link };
}
