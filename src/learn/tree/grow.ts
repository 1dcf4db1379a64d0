import type { RowPool } from '../parallel/pool.js';
import type { HistogramArena } from '../wasm/histogram.js';
import { MISSING_BIN, type BinMapper } from './binning.js';
import { TreeBuilder } from './builder.js';
import type { FlatTree } from './tree.js';

/** What limits a tree; the names are LightGBM's. */
export interface TreeLimits {
  numLeaves: number;
  /** ≤ 0: no limit. */
  maxDepth: number;
  minDataInLeaf: number;
  minSumHessian: number;
  lambdaL2: number;
  minSplitGain: number;
  learningRate: number;
  /** Per feature: +1 scores never decrease along it, −1 never increase, 0 free. */
  monotone?: Int8Array;
  /** Categorical splits past one-vs-rest (LightGBM's cat_smooth, cat_l2, min_data_per_group): see bestCategoricalSplit. */
  catSmooth: number;
  catL2: number;
  minDataPerGroup: number;
}

export interface GrowInput {
  /** The shared memory holding bins (both layouts), rows and gradients; partitioning runs there. */
  arena: HistogramArena;
  d: number;
  mapper: BinMapper;
  /** Where this tree's gradients start in the arena's grad/hess (c × n for class c of softmax). */
  offset: number;
  /** Builds histograms, on worker threads when the data is big enough. */
  pool: RowPool;
  /** Every hessian is exactly 1 (L2-type objectives without weights): sums of hessians are counts. */
  unitHessian: boolean;
  /** The gradients are already quantized for fixed-point histograms (by the gradient kernel). */
  quantized: boolean;
  /** Rows this tree may use (a bagging sample), ascending; it is reordered in place into leaf segments. */
  rows: Int32Array;
  /** Features this tree may split on. */
  features: Int32Array;
}

export interface GrownTree {
  tree: FlatTree;
  /** rows[leafBegin[l] .. leafEnd[l]) are leaf l's rows, for updating training scores without walking the tree. */
  rows: Int32Array;
  leafBegin: Int32Array;
  leafEnd: Int32Array;
  /** Per feature: splits made on it and their total gain. */
  splitCount: Float64Array;
  splitGain: Float64Array;
}

/** A decoded histogram bin: gradient sum, hessian sum and (weighted) row count. */
const STRIDE = 3;
const NO_OUTPUT = new Float64Array(0);
/** Segments smaller than this are histogrammed on the calling thread alone. */
const SERIAL_BELOW = 20_000;
const BINS = 256;

interface Split {
  gain: number;
  feature: number;
  /** Rows with bin ≤ bin go left (numeric features). */
  bin: number;
  /** Categorical features: categories[b] = 1 sends bin b left; missing values go right. */
  categories?: Uint8Array;
  missingLeft: boolean;
  leftG: number;
  leftH: number;
  leftC: number;
  rightG: number;
  rightH: number;
  rightC: number;
}

interface Leaf {
  begin: number;
  end: number;
  depth: number;
  G: number;
  H: number;
  /** Rows in the leaf, weighted. */
  C: number;
  /** Bounds on this leaf's value from monotone constraints above it. */
  lower: number;
  upper: number;
  /** The arena slot holding this leaf's histogram, while it may still split. */
  hist: number;
  split: Split | undefined;
  /** Where this leaf hangs in the node arrays: parent node and side, or −1 for the root. */
  parent: number;
  side: 0 | 1;
}

/**
 * Grows one tree leaf-wise (best-first, like LightGBM): the leaf whose best split gains most is split
 * next, until numLeaves. Histograms of (gradient, hessian, count) per bin are built for the smaller
 * child only; the larger child's is the parent's minus it. Missing values have their own bin and go to
 * whichever side gains more.
 */
export function growTree(input: GrowInput, limits: TreeLimits): GrownTree {
  const { d, rows, arena } = input;
  const scale = input.quantized ? undefined : arena.fixedScale(input.offset, input.unitHessian);
  if (scale !== undefined && !input.quantized) input.pool.run(scale, NO_OUTPUT, 0, arena.layout.n, SERIAL_BELOW, 'quantize');
  const splitCount = new Float64Array(d);
  const splitGain = new Float64Array(d);

  const builder = new TreeBuilder();
  const leaves: Leaf[] = [];

  const rootSlot = arena.takeSlot();
  buildHistogram(input, 0, rows.length, rootSlot);
  // The root's sums are any one feature's bins added up.
  const rootHist = arena.view(rootSlot);
  let G = 0;
  let H = 0;
  let C = 0;
  for (let o = 0; o < BINS * STRIDE; o += STRIDE) {
    G += rootHist[o]!;
    H += rootHist[o + 1]!;
    C += rootHist[o + 2]!;
  }
  const root: Leaf = { begin: 0, end: rows.length, depth: 0, G, H, C, lower: -Infinity, upper: Infinity, hist: rootSlot, split: undefined, parent: -1, side: 0 };
  root.split = bestSplit(input, root, limits);
  if (root.split === undefined) arena.releaseSlot(rootSlot);
  leaves.push(root);

  while (leaves.length < limits.numLeaves) {
    let best = -1;
    for (let l = 0; l < leaves.length; l++) {
      const s = leaves[l]!.split;
      if (s !== undefined && (best < 0 || s.gain > leaves[best]!.split!.gain)) best = l;
    }
    if (best < 0) break;
    const leaf = leaves[best]!;
    const split = leaf.split!;
    const cuts = input.mapper.upper[split.feature]!;
    let categories: Uint32Array | undefined;
    if (split.categories !== undefined) {
      categories = new Uint32Array(8);
      for (let c = 0; c < 255; c++) if (split.categories[c] === 1) categories[c >> 5] |= 1 << (c & 31);
    }
    const threshold = categories !== undefined ? NaN : split.bin < cuts.length ? cuts[split.bin]! : Infinity;
    const node = builder.addSplit(leaf, split.feature, threshold, split.missingLeft, leaf.C, categories);
    splitCount[split.feature]!++;
    splitGain[split.feature] += split.gain;

    const mid = partition(input, leaf.begin, leaf.end, split);
    const leftCount = mid - leaf.begin;
    const rightCount = leaf.end - mid;

    // Monotone constraints: children's values are bounded by the midpoint of their raw values.
    let lowerL = leaf.lower;
    let upperL = leaf.upper;
    let lowerR = leaf.lower;
    let upperR = leaf.upper;
    const mono = limits.monotone?.[split.feature] ?? 0;
    if (mono !== 0) {
      const vl = clamp(-split.leftG / (split.leftH + limits.lambdaL2), leaf.lower, leaf.upper);
      const vr = clamp(-split.rightG / (split.rightH + limits.lambdaL2), leaf.lower, leaf.upper);
      const midValue = (vl + vr) / 2;
      if (mono > 0) {
        upperL = midValue;
        lowerR = midValue;
      } else {
        lowerL = midValue;
        upperR = midValue;
      }
    }
    const childDepth = leaf.depth + 1;
    const smallerLeft = leftCount <= rightCount;
    const small = smallerLeft ? [leaf.begin, mid] : [mid, leaf.end];
    const smallHist = arena.takeSlot();
    buildHistogram(input, small[0]!, small[1]!, smallHist);
    // The parent's slot becomes the larger child's.
    const bigHist = leaf.hist;
    arena.subtract(bigHist, smallHist);
    const leftLeaf: Leaf = { begin: leaf.begin, end: mid, depth: childDepth, G: split.leftG, H: split.leftH, C: split.leftC, lower: lowerL, upper: upperL, hist: smallerLeft ? smallHist : bigHist, split: undefined, parent: node, side: 0 };
    const rightLeaf: Leaf = { begin: mid, end: leaf.end, depth: childDepth, G: split.rightG, H: split.rightH, C: split.rightC, lower: lowerR, upper: upperR, hist: smallerLeft ? bigHist : smallHist, split: undefined, parent: node, side: 1 };
    leftLeaf.split = bestSplit(input, leftLeaf, limits);
    rightLeaf.split = bestSplit(input, rightLeaf, limits);
    // A leaf that can't split needs its histogram no longer.
    for (const child of [leftLeaf, rightLeaf]) if (child.split === undefined) arena.releaseSlot(child.hist);
    leaves[best] = leftLeaf;
    leaves.push(rightLeaf);
  }

  // Leaves are numbered in the order of the `leaves` array, which the leaf segments follow.
  const leafBegin = new Int32Array(leaves.length);
  const leafEnd = new Int32Array(leaves.length);
  for (const [l, leaf] of leaves.entries()) {
    if (leaf.split !== undefined) arena.releaseSlot(leaf.hist);
    // Cover: the leaf's weighted row count (not its hessian), so covers mean training rows for every learner.
    builder.addLeaf(leaf, limits.learningRate * clamp(-leaf.G / (leaf.H + limits.lambdaL2), leaf.lower, leaf.upper), leaf.C);
    leafBegin[l] = leaf.begin;
    leafEnd[l] = leaf.end;
  }
  return {
    tree: builder.build(),
    rows,
    leafBegin,
    leafEnd,
    splitCount,
    splitGain,
  };
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * (gradient, hessian, count) sums per bin per feature for rows[begin, end) into an arena slot, built by
 * the pool's 'histogram' kernel (kernels.ts) with each thread's partial added in. Counts are kept
 * exactly (weighted): estimating them from hessian shares, as LightGBM does, let leaves of confidently
 * classified rows hold far fewer rows than min_data_in_leaf and cost log loss on small data.
 */
function buildHistogram(input: GrowInput, begin: number, end: number, slot: number): void {
  input.pool.run(Float64Array.of(input.offset, slot), NO_OUTPUT, begin, end, SERIAL_BELOW);
  input.arena.mergeThreads(slot, input.pool.lastRunThreads);
}

function bestSplit(input: GrowInput, leaf: Leaf, limits: TreeLimits): Split | undefined {
  if (limits.maxDepth > 0 && leaf.depth >= limits.maxDepth) return undefined;
  const count = leaf.C;
  if (count < 2 * limits.minDataInLeaf) return undefined;
  const { lambdaL2, minDataInLeaf, minSumHessian } = limits;
  const parentScore = score(leaf.G, leaf.H, lambdaL2, leaf.lower, leaf.upper);
  let best: Split | undefined;
  const hist = input.arena.view(leaf.hist);
  for (let k = 0; k < input.features.length; k++) {
    const f = input.features[k]!;
    const nb = input.mapper.nBins[f]!;
    const h = f * BINS * STRIDE;
    if (input.mapper.categorical[f] === 1) {
      const split = bestCategoricalSplit(hist, h, nb, leaf, limits, parentScore, f);
      if (split !== undefined && split.gain > limits.minSplitGain && (best === undefined || split.gain > best.gain)) best = split;
      continue;
    }
    const mG = hist[h + MISSING_BIN * STRIDE]!;
    const mH = hist[h + MISSING_BIN * STRIDE + 1]!;
    const mC = hist[h + MISSING_BIN * STRIDE + 2]!;
    const mono = limits.monotone?.[f] ?? 0;
    // Missing values to the right (pass 0) or to the left (pass 1); without missing values one pass.
    for (let pass = 0; pass < (mC > 0 ? 2 : 1); pass++) {
      let lG = pass === 1 ? mG : 0;
      let lH = pass === 1 ? mH : 0;
      let lC = pass === 1 ? mC : 0;
      // The last value bin may be a split only when missing values go right: "present vs missing".
      const lastBin = pass === 0 && mC > 0 ? nb - 1 : nb - 2;
      for (let b = 0; b <= lastBin; b++) {
        const o = h + b * STRIDE;
        lG += hist[o]!;
        lH += hist[o + 1]!;
        lC += hist[o + 2]!;
        if (lC < minDataInLeaf || lH < minSumHessian) continue;
        const rC = count - lC;
        const rH = leaf.H - lH;
        if (rC < minDataInLeaf || rH < minSumHessian) break;
        const rG = leaf.G - lG;
        let gain: number;
        if (mono === 0 && leaf.lower === -Infinity && leaf.upper === Infinity) {
          gain = (lG * lG) / (lH + lambdaL2) + (rG * rG) / (rH + lambdaL2) - parentScore;
        } else {
          const vl = clamp(-lG / (lH + lambdaL2), leaf.lower, leaf.upper);
          const vr = clamp(-rG / (rH + lambdaL2), leaf.lower, leaf.upper);
          if ((mono > 0 && vl > vr) || (mono < 0 && vl < vr)) continue;
          gain = leafGain(lG, lH, vl, lambdaL2) + leafGain(rG, rH, vr, lambdaL2) - parentScore;
        }
        if (gain > limits.minSplitGain && (best === undefined || gain > best.gain)) {
          best = { gain, feature: f, bin: b, missingLeft: pass === 1, leftG: lG, leftH: lH, leftC: lC, rightG: rG, rightH: rH, rightC: rC };
        }
      }
    }
  }
  return best;
}

/** LightGBM's: one-vs-rest below this many categories; past it, at most this many categories on the left. */
const MAX_CATEGORIES_ONE_HOT = 4;
const MAX_CATEGORIES_LEFT = 32;

/**
 * The best split of a categorical feature into a set of categories (left) and the rest with missing
 * values (right), as LightGBM does: with few categories, each one against the rest; otherwise the
 * categories are ordered by their smoothed mean gradient and every prefix of that order, from either end,
 * is tried (the optimal grouping for a convex loss lies along it; Fisher, 1958). Past one-vs-rest, three guards
 * against fitting noise in many small categories, LightGBM's: a category seen in fewer than `catSmooth` rows of the
 * leaf is never sent left (it stays with the rest) and `catSmooth` is added to each category's hessian when ordering;
 * the children's gains carry `catL2` more L2 than the parent's, so a grouping must beat a plain threshold by a
 * margin; and a cut in the order is tried only once `minDataPerGroup` more rows joined the left side.
 */
function bestCategoricalSplit(hist: Float64Array, h: number, nb: number, leaf: Leaf, limits: TreeLimits, parentScore: number, f: number): Split | undefined {
  const present: number[] = [];
  for (let b = 0; b < nb; b++) if (hist[h + b * STRIDE + 2]! > 0) present.push(b);
  if (present.length < 2) return undefined;
  const { lambdaL2, minDataInLeaf, minSumHessian, catSmooth, catL2, minDataPerGroup } = limits;
  let bestGain = -Infinity;
  let bestMembers: number[] | undefined;
  let best: Omit<Split, 'categories'> | undefined;
  // Left = the categories in order[from … to); sums are kept as the range grows by one, and the set is
  // copied out only when it beats the best so far.
  const scan = (order: readonly number[], reverse: boolean, limit: number, lambda: number, groupRows: number): void => {
    let lG = 0;
    let lH = 0;
    let lC = 0;
    let group = 0;
    for (let m = 1; m <= limit; m++) {
      const b = order[reverse ? order.length - m : m - 1]!;
      const o = h + b * STRIDE;
      lG += hist[o]!;
      lH += hist[o + 1]!;
      lC += hist[o + 2]!;
      group += hist[o + 2]!;
      const rG = leaf.G - lG;
      const rH = leaf.H - lH;
      const rC = leaf.C - lC;
      if (lC < minDataInLeaf || rC < minDataInLeaf || lH < minSumHessian || rH < minSumHessian) continue;
      if (group < groupRows) continue;
      group = 0;
      const gain = (lG * lG) / (lH + lambda) + (rG * rG) / (rH + lambda) - parentScore;
      if (gain > bestGain) {
        bestGain = gain;
        bestMembers = reverse ? order.slice(order.length - m) : order.slice(0, m);
        best = { gain, feature: f, bin: -1, missingLeft: false, leftG: lG, leftH: lH, leftC: lC, rightG: rG, rightH: rH, rightC: rC };
      }
    }
  };
  if (present.length <= MAX_CATEGORIES_ONE_HOT) {
    // Each category alone against the rest.
    for (const b of present) scan([b], false, 1, lambdaL2, 0);
  } else {
    const ratio = new Float64Array(nb);
    for (const b of present) ratio[b] = hist[h + b * STRIDE]! / (hist[h + b * STRIDE + 1]! + catSmooth);
    const sorted = present.filter((b) => hist[h + b * STRIDE + 2]! >= catSmooth).sort((a, b) => ratio[a]! - ratio[b]!);
    const limit = Math.min(MAX_CATEGORIES_LEFT, sorted.length - 1);
    scan(sorted, false, limit, lambdaL2 + catL2, minDataPerGroup);
    scan(sorted, true, limit, lambdaL2 + catL2, minDataPerGroup);
  }
  if (best === undefined) return undefined;
  const categories = new Uint8Array(256);
  for (const b of bestMembers!) categories[b] = 1;
  return { ...best, categories };
}

/** The loss reduction of a leaf holding value v: −(2Gv + (H + λ)v²), which is G²/(H+λ) at the optimum. */
function leafGain(G: number, H: number, v: number, lambda: number): number {
  return -(2 * G * v + (H + lambda) * v * v);
}

function score(G: number, H: number, lambda: number, lower: number, upper: number): number {
  if (lower === -Infinity && upper === Infinity) return (G * G) / (H + lambda);
  return leafGain(G, H, clamp(-G / (H + lambda), lower, upper), lambda);
}

/**
 * Stable partition of rows[begin, end) by the split; returns the first index of the right side. A
 * 256-entry table says which bins go left; the WebAssembly kernel writes each row to both sides and
 * moves only the chosen side's cursor: no branch on the (unpredictable) side per row.
 */
function partition(input: GrowInput, begin: number, end: number, split: Split): number {
  const goesLeft = input.arena.goesLeft;
  for (let b = 0; b < 256; b++) {
    goesLeft[b] = (split.categories !== undefined ? b !== MISSING_BIN && split.categories[b] === 1 : b === MISSING_BIN ? split.missingLeft : b <= split.bin) ? 1 : 0;
  }
  return input.arena.partition(split.feature, begin, end);
}
