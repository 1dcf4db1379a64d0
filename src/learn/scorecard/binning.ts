/**
 * Weight-of-evidence binning of one feature against a binary target, as credit scorecards use it
 * (Siddiqi, "Credit Risk Scorecards"; optbinning and R's scorecard package do the same job).
 *
 * A bin's WoE is ln(share of goods / share of bads): goods are rows of class 0, bads (events) rows of
 * class 1, and the shares are of all rows' goods and bads. Information value IV = Σ (goods share − bads
 * share) × WoE. Numbers are first cut into fine bins of about equal weight at their distinct values;
 * categories' levels are ordered by WoE. Then the fine bins are grouped, contiguous in that order, into
 * at most `maxBins` bins of at least `minShare` of the rows each, to the highest IV
 * (dynamic programming over the cut points, exact), numbers' WoE monotone where asked. Missing values
 * get a bin of their own.
 */

export interface BinningOptions {
  /** Most bins (missing left out). */
  maxBins: number;
  /** Fine bins before grouping. */
  fineBins: number;
  /** Least share of all rows' weight in one bin. */
  minShare: number;
  /**
   * Numbers' WoE across bins: rising, falling, either (auto: the better of the two, or none when
   * grouping freely gains a quarter more IV: a peak or valley), or none.
   */
  monotone: 'auto' | 'ascending' | 'descending' | 'none';
}

/** Counts of one bin, weighted. */
export interface BinCounts {
  goods: number;
  bads: number;
}

export interface Binning {
  /** Numbers: bin k holds cuts[k − 1] < x ≤ cuts[k] (the first x ≤ cuts[0], the last x > the last cut). */
  cuts: number[];
  /** Categories: each code's bin, by code (−1: a code training never saw). */
  codeBins: number[];
  /** The value bins, in order; the missing bin is apart. */
  bins: BinCounts[];
  missing: BinCounts;
  /** How the numbers' WoE runs across the bins ('levels' for categories). */
  trend: 'ascending' | 'descending' | 'none' | 'levels';
}

/** WoE of a bin against all rows' goods and bads; a bin missing either class has none (see binWoe). */
export function woe(bin: BinCounts, goods: number, bads: number): number {
  return Math.log(bin.goods / goods / (bin.bads / bads));
}

/**
 * A bin's WoE for the card: exact when it has goods and bads, else with half a row of each added (the
 * usual correction: a bin of one class, a pure bin, would weigh infinitely); 0 for an empty bin.
 */
export function binWoe(bin: BinCounts, goods: number, bads: number): number {
  if (bin.goods + bin.bads === 0) return 0;
  if (bin.goods > 0 && bin.bads > 0) return woe(bin, goods, bads);
  return Math.log((bin.goods + 0.5) / (goods + 0.5) / ((bin.bads + 0.5) / (bads + 0.5)));
}

/** IV of a set of bins (missing included), each with both classes or smoothed as binWoe does. */
export function informationValue(bins: readonly BinCounts[], goods: number, bads: number): number {
  let iv = 0;
  for (const b of bins) if (b.goods + b.bads > 0) iv += (b.goods / goods - b.bads / bads) * binWoe(b, goods, bads);
  return iv;
}

/** Goods and bads in each bin of numbers cut at `cuts` (bin k: cuts[k − 1] < x ≤ cuts[k]), and in the missing bin. */
export function countByCuts(x: ArrayLike<number>, y: ArrayLike<number>, cuts: readonly number[], weights?: ArrayLike<number>): { bins: BinCounts[]; missing: BinCounts } {
  return countBy(x, y, cuts.length + 1, (v) => {
    let k = 0;
    while (k < cuts.length && v > cuts[k]!) k++;
    return k;
  }, weights);
}

/** Goods and bads in each bin of category codes (code c in bin codeBins[c]), and in the missing bin. */
export function countByCodes(codes: ArrayLike<number>, y: ArrayLike<number>, codeBins: readonly number[], bins: number, weights?: ArrayLike<number>): { bins: BinCounts[]; missing: BinCounts } {
  return countBy(codes, y, bins, (v) => codeBins[v] ?? -1, weights);
}

function countBy(x: ArrayLike<number>, y: ArrayLike<number>, size: number, binOf: (v: number) => number, weights: ArrayLike<number> | undefined): { bins: BinCounts[]; missing: BinCounts } {
  const bins = Array.from({ length: size }, (): BinCounts => ({ goods: 0, bads: 0 }));
  const missing: BinCounts = { goods: 0, bads: 0 };
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const bin = v !== v ? missing : bins[binOf(v)];
    if (bin === undefined) continue;
    const w = weights === undefined ? 1 : weights[i]!;
    if (y[i] === 1) bin.bads += w;
    else bin.goods += w;
  }
  return { bins, missing };
}

/** The feature column j of X with the target and weights, split into present values and the missing bin. */
interface Column {
  values: Float64Array;
  bad: Uint8Array;
  weight: Float64Array;
  missing: BinCounts;
  goods: number;
  bads: number;
}

function columnOf(data: Float64Array | Float32Array, n: number, d: number, j: number, y: Float64Array, weights: Float64Array | undefined): Column {
  let present = 0;
  for (let i = 0; i < n; i++) if (data[i * d + j] === data[i * d + j]) present++;
  const values = new Float64Array(present);
  const bad = new Uint8Array(present);
  const weight = new Float64Array(present);
  const missing: BinCounts = { goods: 0, bads: 0 };
  let goods = 0;
  let bads = 0;
  for (let i = 0, k = 0; i < n; i++) {
    const v = data[i * d + j]!;
    const w = weights === undefined ? 1 : weights[i]!;
    const isBad = y[i] === 1;
    if (isBad) bads += w;
    else goods += w;
    if (v !== v) {
      if (isBad) missing.bads += w;
      else missing.goods += w;
      continue;
    }
    values[k] = v;
    bad[k] = isBad ? 1 : 0;
    weight[k++] = w;
  }
  return { values, bad, weight, missing, goods, bads };
}

/** Bins a numeric feature. */
export function binNumeric(data: Float64Array | Float32Array, n: number, d: number, j: number, y: Float64Array, weights: Float64Array | undefined, options: BinningOptions): Binning {
  const col = columnOf(data, n, d, j, y, weights);
  const order = Array.from(col.values.keys()).sort((a, b) => col.values[a]! - col.values[b]!);
  // Fine bins of about equal weight, closed at a distinct value (ties never straddle a cut).
  let present = 0;
  for (let k = 0; k < col.weight.length; k++) present += col.weight[k]!;
  const target = present / options.fineBins;
  const fine: BinCounts[] = [];
  const fineCuts: number[] = [];
  let current: BinCounts = { goods: 0, bads: 0 };
  let inBin = 0;
  for (let r = 0; r < order.length; r++) {
    const i = order[r]!;
    const w = col.weight[i]!;
    if (col.bad[i] === 1) current.bads += w;
    else current.goods += w;
    inBin += w;
    const next = order[r + 1];
    if (next !== undefined && col.values[next]! !== col.values[i]! && inBin >= target) {
      fine.push(current);
      fineCuts.push(col.values[i]!);
      current = { goods: 0, bads: 0 };
      inBin = 0;
    }
  }
  if (inBin > 0) fine.push(current);
  const total = col.goods + col.bads;
  const group = (trend: 'ascending' | 'descending' | 'none'): Grouping | undefined => bestGrouping(fine, col.goods, col.bads, options.minShare * total, options.maxBins, trend);
  let chosen: { grouping: Grouping; trend: Binning['trend'] } | undefined;
  if (options.monotone === 'auto') {
    const up = group('ascending');
    const down = group('descending');
    const monotone = up === undefined ? down : down === undefined || up.iv >= down.iv ? up : down;
    const free = group('none');
    if (monotone !== undefined) chosen = { grouping: monotone, trend: monotone === up ? 'ascending' : 'descending' };
    if (free !== undefined && (monotone === undefined || free.iv > 1.25 * monotone.iv)) chosen = { grouping: free, trend: 'none' };
  } else {
    const only = group(options.monotone);
    if (only !== undefined) chosen = { grouping: only, trend: options.monotone };
  }
  // No grouping has enough rows in each bin (or no value is present): one bin of every present value.
  const starts = chosen?.grouping.starts ?? [0];
  const cuts = starts.slice(1).map((s) => fineCuts[s - 1]!);
  const { bins } = countByCuts(col.values, col.bad, cuts, col.weight);
  return { cuts, codeBins: [], bins, missing: col.missing, trend: chosen?.trend ?? 'none' };
}

/** Bins a categorical feature of codes 0, 1, …: levels in WoE order, grouped. */
export function binCategorical(data: Float64Array | Float32Array, n: number, d: number, j: number, y: Float64Array, weights: Float64Array | undefined, options: BinningOptions): Binning {
  const col = columnOf(data, n, d, j, y, weights);
  const byCode = new Map<number, BinCounts>();
  for (let k = 0; k < col.values.length; k++) {
    const code = col.values[k]!;
    let c = byCode.get(code);
    if (c === undefined) byCode.set(code, (c = { goods: 0, bads: 0 }));
    if (col.bad[k] === 1) c.bads += col.weight[k]!;
    else c.goods += col.weight[k]!;
  }
  // Levels by WoE (half a row of each class added, so a level of one class orders too), ties by code.
  const levels = [...byCode.entries()].map(([code, c]) => ({ code, c, w: binWoe({ goods: c.goods + 0.5, bads: c.bads + 0.5 }, col.goods, col.bads) })).sort((a, b) => a.w - b.w || a.code - b.code);
  // More levels than fine bins: neighbours in that order merged to about equal weight.
  const fineLevels: number[][] = [];
  const fine: BinCounts[] = [];
  const present = levels.reduce((s, l) => s + l.c.goods + l.c.bads, 0);
  const target = levels.length > options.fineBins ? present / options.fineBins : 0;
  let codes: number[] = [];
  let current: BinCounts = { goods: 0, bads: 0 };
  for (const level of levels) {
    codes.push(level.code);
    current.goods += level.c.goods;
    current.bads += level.c.bads;
    if (current.goods + current.bads >= target) {
      fineLevels.push(codes);
      fine.push(current);
      codes = [];
      current = { goods: 0, bads: 0 };
    }
  }
  if (codes.length > 0) {
    fineLevels.push(codes);
    fine.push(current);
  }
  const grouping = bestGrouping(fine, col.goods, col.bads, options.minShare * (col.goods + col.bads), options.maxBins, 'none');
  const starts = grouping?.starts ?? [0];
  let maxCode = -1;
  for (const code of byCode.keys()) maxCode = Math.max(maxCode, code);
  const codeBins = new Array<number>(maxCode + 1).fill(-1);
  fineLevels.forEach((levelCodes, f) => {
    let bin = 0;
    while (bin + 1 < starts.length && starts[bin + 1]! <= f) bin++;
    for (const code of levelCodes) codeBins[code] = bin;
  });
  const { bins } = countByCodes(col.values, col.bad, codeBins, starts.length, col.weight);
  return { cuts: [], codeBins, bins, missing: col.missing, trend: 'levels' };
}

interface Grouping {
  /** First fine bin of each group. */
  starts: number[];
  iv: number;
}

/**
 * The grouping of fine bins [0, k) into at most maxBins contiguous groups, each of weight ≥ minWeight,
 * WoE (binWoe's) monotone in `trend`, of the highest IV: best[g][b][a] is the best IV of [0, b) in g
 * groups whose last is [a, b). O(maxBins × k³); k is a few dozen at most.
 */
function bestGrouping(fine: readonly BinCounts[], goods: number, bads: number, minWeight: number, maxBins: number, trend: 'ascending' | 'descending' | 'none'): Grouping | undefined {
  const k = fine.length;
  if (k === 0) return undefined;
  const pg = new Float64Array(k + 1);
  const pb = new Float64Array(k + 1);
  for (let f = 0; f < k; f++) {
    pg[f + 1] = pg[f]! + fine[f]!.goods;
    pb[f + 1] = pb[f]! + fine[f]!.bads;
  }
  const ok = (a: number, b: number): boolean => pg[b]! - pg[a]! + pb[b]! - pb[a]! >= minWeight;
  const w = (a: number, b: number): number => binWoe({ goods: pg[b]! - pg[a]!, bads: pb[b]! - pb[a]! }, goods, bads);
  const iv = (a: number, b: number): number => ((pg[b]! - pg[a]!) / goods - (pb[b]! - pb[a]!) / bads) * w(a, b);
  const index = (g: number, b: number, a: number): number => (g * (k + 1) + b) * (k + 1) + a;
  const size = (maxBins + 1) * (k + 1) * (k + 1);
  const best = new Float64Array(size).fill(-Infinity);
  const from = new Int32Array(size).fill(-1);
  for (let b = 1; b <= k; b++) if (ok(0, b)) best[index(1, b, 0)] = iv(0, b);
  for (let g = 2; g <= maxBins; g++) {
    for (let b = 1; b <= k; b++) {
      for (let a = 1; a < b; a++) {
        if (!ok(a, b)) continue;
        const here = w(a, b);
        let top = -Infinity;
        let arg = -1;
        for (let h = 0; h < a; h++) {
          const prior = best[index(g - 1, a, h)]!;
          if (prior === -Infinity) continue;
          const before = w(h, a);
          if (trend === 'ascending' ? !(before < here) : trend === 'descending' ? !(before > here) : false) continue;
          if (prior > top) {
            top = prior;
            arg = h;
          }
        }
        if (arg < 0) continue;
        best[index(g, b, a)] = top + iv(a, b);
        from[index(g, b, a)] = arg;
      }
    }
  }
  let top = -Infinity;
  let at: [number, number] | undefined;
  for (let g = 1; g <= maxBins; g++) {
    for (let a = 0; a < k; a++) {
      // More groups must gain IV to be chosen (ties keep the simpler card).
      const v = best[index(g, k, a)]!;
      if (v > top + 1e-12) {
        top = v;
        at = [g, a];
      }
    }
  }
  if (at === undefined) return undefined;
  const starts: number[] = [];
  let [g, a] = at;
  let b = k;
  for (;;) {
    starts.unshift(a);
    if (g === 1) break;
    const h = from[index(g, b, a)]!;
    b = a;
    a = h;
    g--;
  }
  return { starts, iv: top };
}
