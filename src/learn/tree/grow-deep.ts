import type { Random } from '../../synth/random.js';
import { MISSING_BIN, type BinMapper } from './binning.js';
import type { FlatTree } from './tree.js';
import { TreeBuilder } from './builder.js';

/** Random-forest tree limits, in scikit-learn's terms. */
export interface DeepTreeLimits {
  /** ≤ 0: unlimited. */
  maxDepth: number;
  minSamplesLeaf: number;
  /** Features tried at each split. */
  maxFeatures: number;
}

export interface DeepGrowInput {
  /** Row-major bins. */
  bins: Uint8Array;
  d: number;
  mapper: BinMapper;
  /**
   * Per-row targets: values, or 0/1 for binary (the Gini criterion is the variance of the 0/1 label),
   * or class codes when `classes` > 2.
   */
  y: Float64Array;
  /**
   * More than 2: multiclass, with Gini impurity as the summed variance of the one-hot class indicators
   * (1 − Σp² is exactly that), and leaves holding class distributions.
   */
  classes?: number;
  /** Per-row weights: bootstrap counts × sample weights; rows with weight 0 are left out. */
  w: Float64Array;
  /** The rows with positive weight; reordered in place into leaf segments. */
  rows: Int32Array;
  rng: Random;
}

/**
 * Grows one fully grown tree depth-first, as random forests do: at every node, maxFeatures features are
 * drawn and the split minimizing the weighted squared error (equal to Gini for a 0/1 label) is taken,
 * from per-node bin sums over the node's rows only. Histograms are not kept per node (deep trees
 * have tens of thousands), so memory stays O(bins) however deep the tree grows. Leaves hold the mean.
 */
export function growDeepTree(input: DeepGrowInput, limits: DeepTreeLimits): { tree: FlatTree; splitCount: Float64Array; splitGain: Float64Array; leafClasses?: Float64Array } {
  const { bins, d, y, w, rows, rng } = input;
  // K target sums per bin: the value (K = 1), or one per class.
  const K = (input.classes ?? 0) > 2 ? input.classes! : 1;
  const multi = K > 1;
  const leafClasses: number[] = [];
  const builder = new TreeBuilder();
  const splitCount = new Float64Array(d);
  const splitGain = new Float64Array(d);
  // Per-bin sums for one feature: Σw·y, Σw, and which bins were touched (cleared after use).
  const sumY = new Float64Array(256 * K);
  const nodeY = new Float64Array(K);
  const lY = new Float64Array(K);
  const sumW = new Float64Array(256);
  const touched = new Uint8Array(256);
  // The bins a node's rows touch, in first-touch order: deep nodes hold few rows, and scanning and
  // clearing all 256 bins of every feature at every node was most of a deep tree's time.
  const touchedList = new Int32Array(256);
  const scratch = new Int32Array(rows.length);
  const order = Int32Array.from({ length: d }, (_, f) => f);

  // Depth-first with an explicit stack: [begin, end, depth, parentNode, side].
  const stack: number[][] = [[0, rows.length, 0, -1, 0]];
  while (stack.length > 0) {
    const [begin, end, depth, parent, side] = stack.pop()!;
    let W = 0;
    let S = 0;
    nodeY.fill(0);
    for (let r = begin!; r < end!; r++) {
      const i = rows[r]!;
      W += w[i]!;
      if (multi) nodeY[y[i]!] += w[i]!;
      else S += w[i]! * y[i]!;
    }
    const slot = { parent: parent!, side: side as 0 | 1 };
    const makeLeaf = (): void => {
      builder.addLeaf(slot, multi ? 0 : S / W, W);
      if (multi) for (let c = 0; c < K; c++) leafClasses.push(nodeY[c]! / W);
    };
    if ((limits.maxDepth > 0 && depth! >= limits.maxDepth) || W < 2 * limits.minSamplesLeaf) {
      makeLeaf();
      continue;
    }
    // Draw maxFeatures features without replacement (partial Fisher–Yates).
    for (let k = 0; k < limits.maxFeatures; k++) {
      const j = k + rng.int(d - k);
      const t = order[k]!;
      order[k] = order[j]!;
      order[j] = t;
    }
    let bestGain = 1e-12 * Math.max(1, Math.abs(S));
    let bestFeature = -1;
    let bestBin = 0;
    let bestMissingLeft = false;
    let parentScore = (S * S) / W;
    if (multi) {
      let q = 0;
      for (let c = 0; c < K; c++) q += nodeY[c]! ** 2;
      parentScore = q / W;
    }
    for (let k = 0; k < limits.maxFeatures; k++) {
      const f = order[k]!;
      let nTouched = 0;
      for (let r = begin!; r < end!; r++) {
        const i = rows[r]!;
        const b = bins[i * d + f]!;
        if (multi) sumY[b * K + y[i]!] += w[i]!;
        else sumY[b] += w[i]! * y[i]!;
        sumW[b] += w[i]!;
        if (touched[b] === 0) {
          touched[b] = 1;
          touchedList[nTouched++] = b;
        }
      }
      // Few distinct bins: visit just those, in bin order (insertion sort of a short list).
      const sparse = nTouched * 8 < 256;
      if (sparse) {
        for (let a = 1; a < nTouched; a++) {
          const v = touchedList[a]!;
          let c = a - 1;
          while (c >= 0 && touchedList[c]! > v) {
            touchedList[c + 1] = touchedList[c]!;
            c--;
          }
          touchedList[c + 1] = v;
        }
      }
      const nb = input.mapper.nBins[f]!;
      const mW = sumW[MISSING_BIN]!;
      for (let pass = 0; pass < (mW > 0 ? 2 : 1); pass++) {
        for (let c = 0; c < K; c++) lY[c] = pass === 1 ? sumY[MISSING_BIN * K + c]! : 0;
        let lW = pass === 1 ? mW : 0;
        const lastBin = pass === 0 && mW > 0 ? nb - 1 : nb - 2;
        const steps = sparse ? nTouched : lastBin + 1;
        for (let t = 0; t < steps; t++) {
          const b = sparse ? touchedList[t]! : t;
          if (b > lastBin) break;
          if (touched[b] === 0) continue;
          for (let c = 0; c < K; c++) lY[c] += sumY[b * K + c]!;
          lW += sumW[b]!;
          const rW = W - lW;
          if (lW < limits.minSamplesLeaf) continue;
          if (rW < limits.minSamplesLeaf) break;
          let gain: number;
          if (multi) {
            let ql = 0;
            let qr = 0;
            for (let c = 0; c < K; c++) {
              ql += lY[c]! ** 2;
              qr += (nodeY[c]! - lY[c]!) ** 2;
            }
            gain = ql / lW + qr / rW - parentScore;
          } else {
            const rY = S - lY[0]!;
            gain = (lY[0]! * lY[0]!) / lW + (rY * rY) / rW - parentScore;
          }
          if (gain > bestGain) {
            bestGain = gain;
            bestFeature = f;
            bestBin = b;
            bestMissingLeft = pass === 1;
          }
        }
      }
      for (let t = 0; t < nTouched; t++) {
        const b = touchedList[t]!;
        for (let c = 0; c < K; c++) sumY[b * K + c] = 0;
        sumW[b] = 0;
        touched[b] = 0;
      }
    }
    if (bestFeature < 0) {
      makeLeaf();
      continue;
    }
    const cuts = input.mapper.upper[bestFeature]!;
    const node = builder.addSplit(slot, bestFeature, bestBin < cuts.length ? cuts[bestBin]! : Infinity, bestMissingLeft, W);
    splitCount[bestFeature]!++;
    splitGain[bestFeature] += bestGain;
    // Stable partition of the node's rows.
    let l = begin!;
    let rr = 0;
    for (let r = begin!; r < end!; r++) {
      const i = rows[r]!;
      const b = bins[i * d + bestFeature]!;
      if (b === MISSING_BIN ? bestMissingLeft : b <= bestBin) rows[l++] = i;
      else scratch[rr++] = i;
    }
    rows.set(scratch.subarray(0, rr), l);
    stack.push([l, end!, depth! + 1, node, 1], [begin!, l, depth! + 1, node, 0]);
  }
  return {
    tree: builder.build(),
    splitCount,
    splitGain,
    ...(multi ? { leafClasses: Float64Array.from(leafClasses) } : {}),
  };
}
