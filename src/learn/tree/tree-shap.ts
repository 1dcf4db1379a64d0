import type { Contributions, Matrix } from '../contract.js';
import { LearnError } from '../errors.js';
import { categoryGoesLeft, leafOf, type FlatTree } from './tree.js';
import { pathTables, TableShap, type PathTables } from './tree-shap-tables.js';
import { WasmTreeShap } from '../wasm/tree-shap.js';

/**
 * Exact path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, Algorithm 2). The value of a feature set S
 * is the tree's expectation given S: at a split on a feature in S the row's branch is followed; on any
 * other feature both branches are taken, weighted by child cover / node cover. One pass over the tree
 * keeps, along the path to each leaf, the unique features met with their zero fraction (share of
 * cover kept when the feature is unknown), one fraction (1 when the row goes this way) and the
 * permutation weights, grown by EXTEND and shrunk by UNWIND: O(leaves × depth²) per tree and row.
 */
export class TreeShap {
  // Path elements, one segment per recursion level (segment k holds at most k + 1 elements).
  private readonly feature: Int32Array;
  private readonly zero: Float64Array;
  private readonly one: Float64Array;
  private readonly weight: Float64Array;
  /** reciprocal[k] = 1 / k: the weight updates multiply instead of dividing, whose latency chained them. */
  private readonly reciprocal: Float64Array;
  /** A leaf's path elements the row follows. */
  private readonly hot: Int32Array;
  // The call's tree, row and output, set by add() so the recursion passes only what changes.
  private tree!: FlatTree;
  /** Per node: its left and right child's share of its cover. */
  private fractions!: Float64Array;
  private x!: Float64Array | Float32Array;
  private row = 0;
  private phi!: Float64Array;
  private phiOffset = 0;
  private scale = 1;

  /** Path room for trees up to `maxDepth` splits deep. */
  constructor(readonly maxDepth: number) {
    const size = ((maxDepth + 2) * (maxDepth + 3)) / 2;
    this.feature = new Int32Array(size);
    this.zero = new Float64Array(size);
    this.one = new Float64Array(size);
    this.weight = new Float64Array(size);
    this.reciprocal = Float64Array.from({ length: maxDepth + 3 }, (_, k) => 1 / k);
    this.hot = new Int32Array(maxDepth + 2);
  }

  /**
   * Adds scale × each feature's contribution to `tree`'s value for the row at x[rowOffset …] into
   * phi[phiOffset + feature]. The tree needs covers and at most maxDepth levels of splits.
   */
  add(tree: FlatTree, x: Float64Array | Float32Array, rowOffset: number, phi: Float64Array, phiOffset: number, scale: number): void {
    // A single leaf is all base: nothing depends on a feature.
    if (tree.feature.length === 0) return;
    this.tree = tree;
    this.fractions = coverFractions(tree);
    this.x = x;
    this.row = rowOffset;
    this.phi = phi;
    this.phiOffset = phiOffset;
    this.scale = scale;
    this.recurse(0, 0, 0, 0, 1, 1, -1);
  }

  /**
   * Visits `node` (≥ 0 a split, < 0 leaf ~node) with the parent's path (`count` elements at
   * `parentStart`) copied to `start` and extended by (zeroFraction, oneFraction, feature).
   */
  private recurse(node: number, start: number, parentStart: number, count: number, zeroFraction: number, oneFraction: number, feature: number): void {
    const { feature: pf, zero, one, weight, reciprocal } = this;
    for (let i = 0; i < count; i++) {
      pf[start + i] = pf[parentStart + i]!;
      zero[start + i] = zero[parentStart + i]!;
      one[start + i] = one[parentStart + i]!;
      weight[start + i] = weight[parentStart + i]!;
    }
    // EXTEND: the new element joins at depth ud; weights of all subset sizes shift.
    const ud = count;
    pf[start + ud] = feature;
    zero[start + ud] = zeroFraction;
    one[start + ud] = oneFraction;
    weight[start + ud] = ud === 0 ? 1 : 0;
    const oneShare = oneFraction * reciprocal[ud + 1]!;
    const zeroShare = zeroFraction * reciprocal[ud + 1]!;
    for (let i = ud - 1; i >= 0; i--) {
      weight[start + i + 1] += oneShare * weight[start + i]! * (i + 1);
      weight[start + i] = zeroShare * weight[start + i]! * (ud - i);
    }

    const tree = this.tree;
    if (node < 0) {
      this.leaf(tree.leafValue[~node]! * this.scale, start, ud);
      return;
    }

    const f = tree.feature[node]!;
    const v = this.x[this.row + f]!;
    const goesLeft =
      tree.isCategorical !== undefined && tree.isCategorical[node] === 1 ? categoryGoesLeft(tree.catBits!, node, v) : v !== v ? tree.defaultLeft[node] === 1 : v <= tree.threshold[node]!;
    const hot = goesLeft ? tree.left[node]! : tree.right[node]!;
    const cold = goesLeft ? tree.right[node]! : tree.left[node]!;
    // Each child's share of the node's cover, worked out once a tree (coverFractions).
    const fractions = this.fractions;
    const hotZero = goesLeft ? fractions[2 * node]! : fractions[2 * node + 1]!;
    const coldZero = goesLeft ? fractions[2 * node + 1]! : fractions[2 * node]!;

    // A feature already on the path is unwound, and its fractions carried into this split's element.
    let incomingZero = 1;
    let incomingOne = 1;
    let childCount = ud + 1;
    for (let k = 1; k <= ud; k++) {
      if (pf[start + k] !== f) continue;
      incomingZero = zero[start + k]!;
      incomingOne = one[start + k]!;
      this.unwind(start, ud, k);
      childCount = ud;
      break;
    }
    const next = start + ud + 1;
    // A branch with zero and one fractions both 0 weighs nothing (and would divide by its zero fraction).
    if (hotZero * incomingZero > 0 || incomingOne > 0) this.recurse(hot, next, start, childCount, hotZero * incomingZero, incomingOne, f);
    if (coldZero * incomingZero > 0) this.recurse(cold, next, start, childCount, coldZero * incomingZero, 0, f);
  }

  /**
   * At a leaf: each path element's contribution, w × (one − zero) × value, where w is the path's total
   * weight with the element unwound. Elements the row follows (one fraction 1) each unwind by a chain of
   * dependent multiplies; two are run side by side in one loop, so the processor overlaps their chains
   * (the chains' latency, not the arithmetic, was the cost). Elements it does not follow (one fraction 0)
   * share one sum.
   */
  private leaf(value: number, start: number, ud: number): void {
    const { feature: pf, zero, one, weight, reciprocal, hot, phi } = this;
    const at = this.phiOffset;
    let coldSum = -1;
    let hots = 0;
    // Element 0 is the root's placeholder; each other element is a feature on the path.
    for (let i = 1; i <= ud; i++) {
      if (one[start + i] !== 0) {
        hot[hots++] = i;
        continue;
      }
      if (coldSum < 0) {
        coldSum = 0;
        for (let k = ud - 1; k >= 0; k--) coldSum += weight[start + k]! * reciprocal[ud - k]!;
        coldSum *= (ud + 1) * value;
      }
      // Unwound, its weight is Σ w_k / (ud − k) × (ud + 1) / zero, times (one − zero) = −zero: the zero fraction cancels.
      phi[at + pf[start + i]!] -= coldSum;
    }
    const last = weight[start + ud]!;
    let h = 0;
    for (; h + 1 < hots; h += 2) {
      const a = hot[h]!;
      const b = hot[h + 1]!;
      const za = zero[start + a]!;
      const zb = zero[start + b]!;
      let na = last;
      let nb = last;
      let ta = 0;
      let tb = 0;
      for (let i = ud - 1; i >= 0; i--) {
        const r = reciprocal[i + 1]!;
        const c = (ud - i) * r;
        const w = weight[start + i]!;
        ta += na * r;
        tb += nb * r;
        na = w - na * (za * c);
        nb = w - nb * (zb * c);
      }
      phi[at + pf[start + a]!] += ta * (ud + 1) * (1 - za) * value;
      phi[at + pf[start + b]!] += tb * (ud + 1) * (1 - zb) * value;
    }
    if (h < hots) {
      const a = hot[h]!;
      const za = zero[start + a]!;
      let na = last;
      let ta = 0;
      for (let i = ud - 1; i >= 0; i--) {
        const r = reciprocal[i + 1]!;
        ta += na * r;
        na = weight[start + i]! - na * (za * (ud - i) * r);
      }
      phi[at + pf[start + a]!] += ta * (ud + 1) * (1 - za) * value;
    }
  }


  /** UNWIND: removes element `index` from the path of ud + 1 elements at `start`, undoing its EXTEND. */
  private unwind(start: number, ud: number, index: number): void {
    const { feature: pf, zero, one, weight, reciprocal } = this;
    const o = one[start + index]!;
    const z = zero[start + index]!;
    let nextOne = weight[start + ud]!;
    if (o !== 0) {
      const up = (ud + 1) / o;
      const ratio = z / o;
      for (let i = ud - 1; i >= 0; i--) {
        const t = weight[start + i]!;
        weight[start + i] = nextOne * up * reciprocal[i + 1]!;
        nextOne = t - nextOne * (ratio * (ud - i) * reciprocal[i + 1]!);
      }
    } else {
      const up = (ud + 1) / z;
      for (let i = ud - 1; i >= 0; i--) weight[start + i] = weight[start + i]! * up * reciprocal[ud - i]!;
    }
    for (let i = index; i < ud; i++) {
      pf[start + i] = pf[start + i + 1]!;
      zero[start + i] = zero[start + i + 1]!;
      one[start + i] = one[start + i + 1]!;
    }
  }

}

interface TreesSummary {
  expectations: Float64Array;
  maxDepth: number;
  tables: (PathTables | undefined)[];
  /** Rows explained with these trees so far: the tables are made once enough have been to pay for them. */
  rows: number;
  built: boolean;
  /** The tables in WebAssembly (wasm/tree-shap.ts), made on the first rows explained after them. */
  kernel?: { d: number; kernel: WasmTreeShap | undefined };
}
const summaries = new WeakMap<readonly FlatTree[], TreesSummary>();

/** The trees' WebAssembly kernel for rows of d features, made once their tables are (undefined where it does not apply). */
function kernelOf(summary: TreesSummary, trees: readonly FlatTree[], outputs: number, d: number): WasmTreeShap | undefined {
  if (!summary.built) return undefined;
  if (summary.kernel?.d !== d) summary.kernel = { d, kernel: WasmTreeShap.from(trees, summary.tables, outputs, d) };
  return summary.kernel.kernel;
}

/**
 * Rows explained with a set of trees before their tables are made. Tables cost a pass over every leaf's
 * path subsets, which for deep trees (a forest's) is worth hundreds of rows of the path walk: explaining a
 * few dozen rows (training's global importance) would pay it for nothing. A batch this size or more makes
 * them at once; a server makes them once this many rows have been explained.
 */
export const TABLE_ROWS = 500;

/** Whether the tables of this set of trees have been made (for tests: TABLE_ROWS). */
export function tablesMade(trees: readonly FlatTree[]): boolean {
  return summaries.get(trees)?.built === true;
}

/** Each tree's expectation and the deepest tree's depth, once per set of trees (a served model's are kept: treesOf); their tables once `rows` more make TABLE_ROWS. */
function summaryOf(trees: readonly FlatTree[], rows: number): TreesSummary {
  let summary = summaries.get(trees);
  if (summary === undefined) {
    let maxDepth = 0;
    for (const t of trees) maxDepth = Math.max(maxDepth, treeDepth(t));
    summaries.set(trees, (summary = { expectations: Float64Array.from(trees, treeExpectation), maxDepth, tables: trees.map(() => undefined), rows: 0, built: false }));
  }
  summary.rows += rows;
  if (!summary.built && summary.rows >= TABLE_ROWS) {
    summary.tables = trees.map((t) => pathTables(t, coverFractions(t)));
    summary.built = true;
  }
  return summary;
}

const fractionCache = new WeakMap<FlatTree, Float64Array>();

/**
 * Each split's children's shares of its cover (left, right), computed once a tree and kept while the
 * tree is: the walk read two covers and divided for every node of every row. A node no training row
 * reached (covers 0) splits its weight evenly rather than dividing by 0.
 */
function coverFractions(tree: FlatTree): Float64Array {
  let fractions = fractionCache.get(tree);
  if (fractions !== undefined) return fractions;
  const nodes = tree.feature.length;
  const nodeCover = tree.nodeCover!;
  const leafCover = tree.leafCover!;
  const coverOf = (child: number): number => (child >= 0 ? nodeCover[child]! : leafCover[~child]!);
  fractions = new Float64Array(2 * nodes);
  for (let node = 0; node < nodes; node++) {
    const cover = nodeCover[node]!;
    fractions[2 * node] = cover > 0 ? coverOf(tree.left[node]!) / cover : 0.5;
    fractions[2 * node + 1] = cover > 0 ? coverOf(tree.right[node]!) / cover : 0.5;
  }
  fractionCache.set(tree, fractions);
  return fractions;
}

/** Adds scale × each feature's contribution for one row (see TreeShap.add); allocates its path, so loops should hold a TreeShap. */
export function addTreeShap(tree: FlatTree, x: Float64Array | Float32Array, rowOffset: number, phi: Float64Array, phiOffset: number, scale: number): void {
  new TreeShap(treeDepth(tree)).add(tree, x, rowOffset, phi, phiOffset, scale);
}

/** Levels of splits on the tree's deepest path (0 for a single leaf). */
export function treeDepth(tree: FlatTree): number {
  if (tree.feature.length === 0) return 0;
  let deepest = 0;
  const stack: number[] = [0, 1];
  while (stack.length > 0) {
    const depth = stack.pop()!;
    const node = stack.pop()!;
    if (depth > deepest) deepest = depth;
    for (const child of [tree.left[node]!, tree.right[node]!]) if (child >= 0) stack.push(child, depth + 1);
  }
  return deepest;
}

/**
 * The tree's value with no feature known: the cover-weighted mean of its leaf values, taken as the
 * path weights do (leaf cover / root cover), so base + Σ contributions equals the tree's value exactly.
 */
export function treeExpectation(tree: FlatTree): number {
  if (tree.feature.length === 0) return tree.leafValue[0]!;
  const root = tree.nodeCover![0]!;
  let sum = 0;
  for (let l = 0; l < tree.leafValue.length; l++) sum += tree.leafValue[l]! * tree.leafCover![l]!;
  return sum / root;
}

/** Whether every tree has the covers TreeSHAP needs; models saved before explanations have none. */
export function requireCovers(learner: string, trees: readonly FlatTree[]): void {
  if (trees.some((t) => t.nodeCover === undefined || t.leafCover === undefined)) {
    throw new LearnError(`${learner}: this model was saved before explanations existed: its trees have no training covers; retrain it to explain it`);
  }
}

/** The rows of one explanation, written into values (n × outputs × d) and margin (n × outputs). */
export interface ShapJob {
  trees: readonly FlatTree[];
  outputs: number;
  init: Float64Array;
  scale: number;
  X: Matrix;
  maxDepth: number;
  /** Per tree: its tables (tree-shap-tables.ts), or undefined where the path walk explains it. */
  tables: readonly (PathTables | undefined)[];
}

/**
 * A faster way to run a big job (Node's worker threads: shap-threads.ts): gives the filled values and
 * margin, or undefined to leave the job to the plain loop here. Kept out of this module, which runs
 * anywhere (a browser, an edge worker), and registered by the Node entry points.
 */
export type ParallelShap = (job: ShapJob) => { values: Float64Array; margin: Float64Array } | undefined;
let parallel: ParallelShap | undefined;
export function setParallelShap(run: ParallelShap | undefined): void {
  parallel = run;
}

/** Rows explained together, tree by tree: one tree's tables stay in cache across the block's rows. */
const ROW_BLOCK = 64;

/**
 * Rows [start, end) of a job, into values and margin laid out for all n rows. With `kernel` (the job's
 * trees and tables in WebAssembly: wasm/tree-shap.ts) each row's contributions come from it instead.
 */
export function explainRowRange(job: ShapJob, start: number, end: number, values: Float64Array, margin: Float64Array, kernel?: WasmTreeShap): void {
  const { trees, outputs, init, scale } = job;
  const { d, data } = job.X;
  if (kernel !== undefined) {
    for (let i = start; i < end; i++) {
      for (let o = 0; o < outputs; o++) margin[i * outputs + o] = init[o]!;
      for (let t = 0; t < trees.length; t++) margin[i * outputs + (t % outputs)] += scale * trees[t]!.leafValue[leafOf(trees[t]!, data, i * d)]!;
      kernel.addRow(data, i * d, values, i * outputs * d, scale);
    }
    return;
  }
  // The path walk's room is only made for a job with a tree the tables leave to it.
  const walk = job.tables.includes(undefined) ? new TreeShap(job.maxDepth) : undefined;
  const fast = new TableShap();
  for (let i = start; i < end; i++) for (let o = 0; o < outputs; o++) margin[i * outputs + o] = init[o]!;
  for (let from = start; from < end; from += ROW_BLOCK) {
    const to = Math.min(end, from + ROW_BLOCK);
    for (let t = 0; t < trees.length; t++) {
      const tree = trees[t]!;
      const o = t % outputs;
      const tables = job.tables[t];
      for (let i = from; i < to; i++) {
        margin[i * outputs + o] += scale * tree.leafValue[leafOf(tree, data, i * d)]!;
        if (tables !== undefined) fast.add(tree, tables, data, i * d, values, (i * outputs + o) * d, scale);
        else walk!.add(tree, data, i * d, values, (i * outputs + o) * d, scale);
      }
    }
  }
}

/**
 * Contributions of an ensemble whose margin for output o is init[o] + scale × Σ the leaf values of
 * trees t with t mod outputs = o (boosting rounds, or a forest's per-class trees).
 */
export function explainTrees(learner: string, trees: readonly FlatTree[], outputs: number, init: Float64Array, scale: number, X: Matrix, link: Contributions['link']): Contributions {
  requireCovers(learner, trees);
  const summary = summaryOf(trees, X.n);
  const { expectations, maxDepth, tables } = summary;
  const base = Float64Array.from(init);
  for (let t = 0; t < trees.length; t++) base[t % outputs] += scale * expectations[t]!;
  const job: ShapJob = { trees, outputs, init, scale, X, maxDepth, tables };
  const done = parallel?.(job);
  if (done !== undefined) return { outputs, base, values: done.values, margin: done.margin, link };
  const values = new Float64Array(X.n * outputs * X.d);
  const margin = new Float64Array(X.n * outputs);
  explainRowRange(job, 0, X.n, values, margin, kernelOf(summary, trees, outputs, X.d));
  return { outputs, base, values, margin, link };
}
