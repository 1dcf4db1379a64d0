/**
 * Compact, mergeable summaries of a column, made once for the training reference and folded for each
 * window of live traffic: fixed bins for numbers (edges at the reference's quantiles, plus a bin below
 * and one above its range), level counts for categories (the reference's most frequent levels and
 * "other"; a window also counts the levels the reference never had), and the missing count. A window's
 * sketch uses its reference's bins, so two sketches compare bin by bin and merge by adding: a day is
 * the sum of its hours, several servers' windows the sum of theirs. Plain JSON data.
 */

export interface NumericSketch {
  kind: 'numeric';
  /** Bin edges, ascending and distinct: bin k (1 … edges.length − 1) holds edges[k − 1] < x ≤ edges[k]. */
  edges: number[];
  /** edges.length + 1 counts: bin 0 holds x ≤ edges[0] (below the reference, or its minimum), the last x > the last edge. */
  counts: number[];
  missing: number;
  /** Σ x and Σ x² of the values present, for the mean and spread. */
  sum: number;
  sumSquares: number;
  min: number;
  max: number;
  /**
   * Windows: present values below the reference's minimum (edges[0]); those above its maximum are exactly
   * the last bin's count. Absent in sketches folded before it was counted: not measured.
   */
  below?: number;
  /** Windows: values of the wrong type (a non-numeric string, a boolean, an object), also counted as missing, as the model reads them. Absent: not measured. */
  invalid?: number;
}

export interface CategoricalSketch {
  kind: 'categorical';
  /** The reference's levels, most frequent first. */
  levels: string[];
  /** levels.length + 1 counts: each level's, then every other label's. */
  counts: number[];
  missing: number;
  /** Windows only: labels the reference never had (the first few met), with their counts. */
  unseen: Record<string, number>;
  /** Windows: every label the reference never had (`unseen` names only the first few). Absent: not measured. */
  unknown?: number;
  /** Windows: values of the wrong type (objects, arrays), also counted as missing. Absent: not measured. */
  invalid?: number;
  /** References only: the names of the levels counted in "other" (up to MAX_OTHER_NAMES), so a window tells them from new ones. */
  otherLevels?: string[];
}

export type ColumnSketch = NumericSketch | CategoricalSketch;

/** Bins a number column's reference gets at most (fewer when it has fewer distinct values). */
export const NUMERIC_BINS = 50;
/** Levels a categorical reference keeps by name; the rest are "other". */
export const MAX_LEVELS = 50;
/** Unseen labels a window names; more are counted in "other" only. */
export const MAX_UNSEEN = 20;
/** Rarer reference levels named, beyond MAX_LEVELS. */
export const MAX_OTHER_NAMES = 1000;

/** A numeric reference from its values (NaN missing): edges at quantiles of the present values. */
export function numericReference(values: ArrayLike<number>, bins = NUMERIC_BINS): NumericSketch {
  // The bins' quantiles by selection, not a sort: sorting a number[] with a comparator took 0.5 s a column at 800,000 rows.
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) n++;
  const present = new Float64Array(n);
  for (let i = 0, k = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) present[k++] = values[i]!;
  const edges: number[] = [];
  if (present.length > 0) {
    const ranks = Array.from({ length: bins + 1 }, (_, k) => Math.min(present.length - 1, Math.round((k * (present.length - 1)) / bins)));
    for (const v of orderStatistics(present, ranks)) if (edges.length === 0 || v > edges[edges.length - 1]!) edges.push(v);
  }
  const sketch = emptyNumeric(edges);
  // The grid binner gives each value numericBin's bin without a binary search.
  addNumbersBinned(sketch, new NumericBinner(edges), values);
  // JSON has no Infinity: a column training never saw a value of keeps 0s (its counts say it is empty).
  if (present.length === 0) sketch.min = sketch.max = 0;
  return sketch;
}

/** An empty sketch on the reference's bins, for a window. */
export function emptyNumeric(edges: readonly number[]): NumericSketch {
  return { kind: 'numeric', edges: [...edges], counts: new Array<number>(edges.length + 1).fill(0), missing: 0, sum: 0, sumSquares: 0, min: Infinity, max: -Infinity, below: 0, invalid: 0 };
}

/** The bin of a present value. */
export function numericBin(edges: readonly number[], v: number): number {
  // The first edge at or above v: bins are closed on the right.
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * A numeric sketch's bin for many values fast: a fine grid of cells over the edges' range gives each
 * value the bin of its cell's start, and (in the few cells an edge crosses) a compare or two over the
 * edges finds its own — no binary search (its branches are coin flips) per value.
 */
export class NumericBinner {
  private readonly edges: Float64Array;
  private readonly cellStart: Int32Array;
  private readonly lo: number;
  private readonly hi: number;
  private readonly scale: number;

  constructor(edges: readonly number[]) {
    this.edges = Float64Array.from(edges);
    // Many cells per edge: an edge crosses few of them, so most values need no compare with an edge.
    const cells = Math.max(1, 16 * edges.length);
    this.lo = edges[0] ?? 0;
    this.hi = edges[edges.length - 1] ?? 0;
    this.scale = this.hi > this.lo ? cells / (this.hi - this.lo) : 0;
    this.cellStart = new Int32Array(cells + 1);
    for (let c = 0; c <= cells; c++) this.cellStart[c] = numericBin(edges, this.scale > 0 ? this.lo + c / this.scale : this.lo);
  }

  /** The bin of a present value (as numericBin). */
  bin(v: number): number {
    if (!(v > this.lo)) return 0;
    const edges = this.edges;
    if (v > this.hi) return edges.length;
    // lo < v ≤ hi: a cell in [0, cells], its start's bin at or below v's.
    let k = this.cellStart[((v - this.lo) * this.scale) | 0]!;
    while (v > edges[k]!) k++;
    // A cell's start is rounded: a value just below it may belong to the bin before.
    while (k > 0 && v <= edges[k - 1]!) k--;
    return k;
  }
}

/** Adds present or missing values with a binner made from the sketch's edges. */
export function addNumbersBinned(sketch: NumericSketch, binner: NumericBinner, values: ArrayLike<number>, from = 0, to = values.length): void {
  const counts = sketch.counts;
  let sum = 0;
  let squares = 0;
  let min = sketch.min;
  let max = sketch.max;
  let missing = 0;
  let below = 0;
  // With no edges (training never saw a value) there is no range to fall outside of.
  const lo = sketch.edges.length > 0 ? sketch.edges[0]! : -Infinity;
  for (let i = from; i < to; i++) {
    const v = values[i]!;
    if (!(v - v === 0)) {
      missing++;
      continue;
    }
    const b = binner.bin(v);
    counts[b]!++;
    if (b === 0 && v < lo) below++;
    sum += v;
    squares += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  sketch.sum += sum;
  sketch.sumSquares += squares;
  sketch.min = min;
  sketch.max = max;
  sketch.missing += missing;
  if (sketch.below !== undefined) sketch.below += below;
}

/** addNumber with a binner made from the sketch's edges. */
export function addBinned(sketch: NumericSketch, binner: NumericBinner, v: number): void {
  if (!(v - v === 0)) sketch.missing++;
  else addToBin(sketch, binner.bin(v), v);
}

export function addNumber(sketch: NumericSketch, v: number): void {
  if (!(v - v === 0)) sketch.missing++;
  else addToBin(sketch, numericBin(sketch.edges, v), v);
}

/** A finite value counted in bin `b`, its sums and range. */
function addToBin(sketch: NumericSketch, b: number, v: number): void {
  sketch.counts[b]!++;
  if (b === 0 && sketch.below !== undefined && sketch.edges.length > 0 && v < sketch.edges[0]!) sketch.below++;
  sketch.sum += v;
  sketch.sumSquares += v * v;
  if (v < sketch.min) sketch.min = v;
  if (v > sketch.max) sketch.max = v;
}

export function addNumbers(sketch: NumericSketch, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) addNumber(sketch, values[i]!);
}

/** A categorical reference from its labels (null missing). */
export function categoricalReference(labels: Iterable<string | null>, maxLevels = MAX_LEVELS): CategoricalSketch {
  const counts = new Map<string, number>();
  let missing = 0;
  for (const label of labels) {
    if (label === null) missing++;
    else counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const kept = ranked.slice(0, maxLevels);
  const other = ranked.slice(maxLevels).reduce((s, [, c]) => s + c, 0);
  return { kind: 'categorical', levels: kept.map(([l]) => l), counts: [...kept.map(([, c]) => c), other], missing, unseen: {}, otherLevels: ranked.slice(maxLevels, maxLevels + MAX_OTHER_NAMES).map(([l]) => l) };
}

export function emptyCategorical(levels: readonly string[]): CategoricalSketch {
  return { kind: 'categorical', levels: [...levels], counts: new Array<number>(levels.length + 1).fill(0), missing: 0, unseen: {}, unknown: 0, invalid: 0 };
}

/**
 * Adds a label to a window. `index` maps the reference's levels to their positions (build it once per
 * window: levelIndex). A label the reference never had goes to "other" and, while few, by name to `unseen`.
 */
export function addLabel(sketch: CategoricalSketch, index: ReadonlyMap<string, number>, label: string | null, known?: ReadonlySet<string>): void {
  if (label === null) {
    sketch.missing++;
    return;
  }
  const at = index.get(label);
  if (at !== undefined) {
    sketch.counts[at]!++;
    return;
  }
  sketch.counts[sketch.levels.length]!++;
  // A label the reference had among its rarer ones is "other", not new.
  if (known?.has(label) === true) return;
  if (sketch.unknown !== undefined) sketch.unknown++;
  if (label in sketch.unseen) sketch.unseen[label]!++;
  else if (Object.keys(sketch.unseen).length < MAX_UNSEEN) sketch.unseen[label] = 1;
}

export function levelIndex(sketch: CategoricalSketch): Map<string, number> {
  return new Map(sketch.levels.map((l, i) => [l, i]));
}

/** Rows a sketch has seen, missing included. */
export function rows(sketch: ColumnSketch): number {
  return sketch.counts.reduce((s, c) => s + c, 0) + sketch.missing;
}

/** a + b for sketches on the same bins (a window's hours, or servers' windows). */
export function merge<S extends ColumnSketch>(a: S, b: S): S {
  if (a.kind !== b.kind || a.counts.length !== b.counts.length) throw new Error('sketches on different bins do not merge');
  const counts = a.counts.map((c, k) => c + b.counts[k]!);
  if (a.kind === 'numeric' && b.kind === 'numeric') {
    const { below: _b, invalid: _i, ...rest } = a;
    return { ...rest, counts, missing: a.missing + b.missing, sum: a.sum + b.sum, sumSquares: a.sumSquares + b.sumSquares, min: Math.min(a.min, b.min), max: Math.max(a.max, b.max), ...both('below', a.below, b.below), ...both('invalid', a.invalid, b.invalid) } as S;
  }
  const ca = a as CategoricalSketch;
  const cb = b as CategoricalSketch;
  const unseen: Record<string, number> = { ...ca.unseen };
  for (const [label, c] of Object.entries(cb.unseen)) {
    if (label in unseen) unseen[label] = unseen[label]! + c;
    else if (Object.keys(unseen).length < MAX_UNSEEN) unseen[label] = c;
  }
  const { unknown: _u, invalid: _i, ...rest } = ca;
  return { ...rest, counts, missing: ca.missing + cb.missing, unseen, ...both('unknown', ca.unknown, cb.unknown), ...both('invalid', ca.invalid, cb.invalid) } as S;
}

/** A count's sum where both sides measured it; absent (not measured) where either did not, so a merge never undercounts. */
function both<K extends string>(key: K, a: number | undefined, b: number | undefined): Partial<Record<K, number>> {
  return a !== undefined && b !== undefined ? ({ [key]: a + b } as Partial<Record<K, number>>) : {};
}

/** Mean and standard deviation of a numeric sketch's present values (population). */
export function moments(sketch: NumericSketch): { mean: number; sd: number; n: number } {
  const n = sketch.counts.reduce((s, c) => s + c, 0);
  if (n === 0) return { mean: NaN, sd: NaN, n };
  const mean = sketch.sum / n;
  return { mean, sd: Math.sqrt(Math.max(0, sketch.sumSquares / n - mean * mean)), n };
}

/** From this many values, selection first counts them on a grid (see orderStatistics). */
const GRID_FROM = 65_536;
const GRID_CELLS = 4096;

/**
 * The values at the given ranks (ascending, 0-based) of `a` (finite numbers) as sorted, in the ranks' order.
 * A big array is first counted on a grid of equal cells between its minimum and maximum: a rank's value lies
 * in the cell where the running count passes it, so only the values of those few cells are gathered and
 * selected in (800,000 values, 51 ranks: ~2% of them). Exact either way. May reorder `a`.
 */
export function orderStatistics(a: Float64Array, ranks: readonly number[]): number[] {
  if (a.length < GRID_FROM || ranks.length === 0) return quickselect(a, ranks);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max > min)) return ranks.map(() => min);
  const scale = GRID_CELLS / (max - min);
  const cellOf = (v: number): number => Math.min(GRID_CELLS - 1, Math.floor((v - min) * scale));
  const counts = new Int32Array(GRID_CELLS);
  for (let i = 0; i < a.length; i++) counts[cellOf(a[i]!)]!++;
  // Each rank's cell, and the rank within it; the cells asked for, in order.
  const starts = new Float64Array(GRID_CELLS);
  for (let c = 1; c < GRID_CELLS; c++) starts[c] = starts[c - 1]! + counts[c - 1]!;
  const cellOfRank = ranks.map((r) => {
    let c = 0;
    while (c + 1 < GRID_CELLS && starts[c + 1]! <= r) c++;
    return c;
  });
  // Where each asked cell's values go in one gathered array (−1: a cell not asked for).
  const at = new Float64Array(GRID_CELLS).fill(-1);
  let gathered = 0;
  for (const c of cellOfRank)
    if (at[c] === -1) {
      at[c] = gathered;
      gathered += counts[c]!;
    }
  const values = new Float64Array(gathered);
  const fill = Float64Array.from(at);
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    const c = cellOf(v);
    if (at[c]! >= 0) values[fill[c]!++] = v;
  }
  // Within the gathered array a cell's values sit together and in cell order, so a rank moves by its cell's offset.
  const local = ranks.map((r, k) => at[cellOfRank[k]!]! + (r - starts[cellOfRank[k]!]!));
  return quickselect(values, local);
}

/**
 * The values at the given ranks (ascending) of `a` as sorted, by quickselect with three-way partitions over the
 * ranks at once: about n × log(ranks) steps instead of a sort's n × log n. Reorders `a`.
 */
function quickselect(a: Float64Array, ranks: readonly number[]): number[] {
  const out = new Array<number>(ranks.length);
  // Each task: a range of `a` and the range of `ranks` (ascending) that fall in it.
  const stack: [number, number, number, number][] = [[0, a.length - 1, 0, ranks.length - 1]];
  while (stack.length > 0) {
    const [lo, hi, r0, r1] = stack.pop()!;
    if (r0 > r1) continue;
    if (hi - lo < 16) {
      a.subarray(lo, hi + 1).sort();
      for (let r = r0; r <= r1; r++) out[r] = a[ranks[r]!]!;
      continue;
    }
    // Median of three as the pivot, then a < p | a = p | a > p.
    const x = a[lo]!;
    const y = a[(lo + hi) >> 1]!;
    const z = a[hi]!;
    const p = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const v = a[i]!;
      if (v < p) {
        a[i++] = a[lt]!;
        a[lt++] = v;
      } else if (v > p) {
        a[i] = a[gt]!;
        a[gt--] = v;
      } else i++;
    }
    let r = r0;
    while (r <= r1 && ranks[r]! < lt) r++;
    stack.push([lo, lt - 1, r0, r - 1]);
    while (r <= r1 && ranks[r]! <= gt) out[r++] = p;
    stack.push([gt + 1, hi, r, r1]);
  }
  return out;
}
