export interface Histogram {
  /** bins + 1 edges; bin i holds edges[i] ≤ x < edges[i+1] (the last bin includes its right edge). */
  edges: number[];
  counts: number[];
}

export interface NumericSummary {
  count: number;
  missing: number;
  distinct: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Keyed by percentile: p1, p5, p25, p50, p75, p95, p99. Linear interpolation, as numpy and pandas. */
  quantiles: Record<string, number>;
  histogram: Histogram;
}

export const QUANTILES: readonly [string, number][] = [
  ['p1', 0.01],
  ['p5', 0.05],
  ['p25', 0.25],
  ['p50', 0.5],
  ['p75', 0.75],
  ['p95', 0.95],
  ['p99', 0.99],
];

const FINE_BINS = 2000;
const DISPLAY_BINS = 20;

/**
 * Exact statistics of a column in a few linear passes, without sorting it: a fine histogram locates the
 * bin of each quantile, and only the values in those bins are sorted. Distinct values are counted with an
 * open-addressing hash on the doubles' bits. Sorting every column of a wide table costs several times more.
 */
export function summarizeNumbers(values: Float64Array): NumericSummary {
  const n = values.length;
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    if (x !== x) continue;
    count++;
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const missing = n - count;
  if (count === 0) {
    return { count, missing, distinct: 0, mean: NaN, std: NaN, min: NaN, max: NaN, quantiles: {}, histogram: { edges: [], counts: [] } };
  }
  // Values near ±1.8e308 overflow sums, squares and the span: then everything is computed on values
  // divided by the largest magnitude (`by`), which cannot overflow. Dividing by 1 changes nothing, so
  // ordinary columns get the same results as before, bit for bit.
  const big = Math.max(Math.abs(min), Math.abs(max));
  let by = 1;
  let mean = sum / count;
  if (!Number.isFinite(mean) || !Number.isFinite(max - min)) by = big;
  if (by !== 1) {
    let scaled = 0;
    for (let i = 0; i < n; i++) {
      const x = values[i]!;
      if (x === x) scaled += x / by;
    }
    mean = (scaled / count) * by;
  }
  const fine = new Float64Array(FINE_BINS);
  const lo = min / by;
  const span = max / by - lo;
  const scale = span > 0 ? FINE_BINS / span : 0;
  const centre = mean / by;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    if (x !== x) continue;
    const d = x / by - centre;
    squares += d * d;
    let b = Math.floor((x / by - lo) * scale);
    if (b >= FINE_BINS) b = FINE_BINS - 1;
    fine[b]!++;
  }
  if (!Number.isFinite(squares) && by === 1) return summarizeScaled(values, count, missing, min, max, mean, big);
  const std = count > 1 ? Math.sqrt(squares / (count - 1)) * by : 0;
  return {
    count,
    missing,
    distinct: countDistinct(values, count),
    mean,
    std,
    min,
    max,
    quantiles: exactQuantiles(values, fine, lo, scale, count, by),
    histogram: displayHistogram(fine, min, max, by),
  };
}

/** Squares overflowed though the mean and span did not (e.g. values near ±1e200): again, scaled. */
function summarizeScaled(values: Float64Array, count: number, missing: number, min: number, max: number, mean: number, by: number): NumericSummary {
  const scaled = values.map((x) => x / by);
  const s = summarizeNumbers(scaled);
  const up = (x: number): number => x * by;
  const quantiles: Record<string, number> = {};
  for (const [k, v] of Object.entries(s.quantiles)) quantiles[k] = up(v);
  return {
    count,
    missing,
    distinct: countDistinct(values, count),
    mean,
    std: up(s.std),
    min,
    max,
    quantiles,
    histogram: { edges: s.histogram.edges.map(up), counts: s.histogram.counts },
  };
}

function displayHistogram(fine: Float64Array, min: number, max: number, by: number): Histogram {
  if (min === max) return { edges: [min, max], counts: [fine.reduce((a, b) => a + b, 0)] };
  const per = FINE_BINS / DISPLAY_BINS;
  const counts: number[] = [];
  const edges: number[] = [];
  for (let b = 0; b < DISPLAY_BINS; b++) {
    let c = 0;
    for (let k = b * per; k < (b + 1) * per; k++) c += fine[k]!;
    counts.push(c);
    edges.push(by === 1 ? min + ((max - min) * b) / DISPLAY_BINS : (min / by + ((max / by - min / by) * b) / DISPLAY_BINS) * by);
  }
  edges.push(max);
  return { edges, counts };
}

function exactQuantiles(values: Float64Array, fine: Float64Array, min: number, scale: number, count: number, by: number): Record<string, number> {
  // The order statistics each quantile needs (two neighbours for interpolation).
  const ranks = new Set<number>();
  for (const [, p] of QUANTILES) {
    const h = (count - 1) * p;
    ranks.add(Math.floor(h));
    ranks.add(Math.min(count - 1, Math.floor(h) + 1));
  }
  // Which fine bin holds each rank, and how many values precede that bin.
  const cumulative = new Float64Array(FINE_BINS + 1);
  for (let b = 0; b < FINE_BINS; b++) cumulative[b + 1] = cumulative[b]! + fine[b]!;
  const binOfRank = new Map<number, number>();
  const slotOfBin = new Int32Array(FINE_BINS).fill(-1);
  const neededBins: number[] = [];
  for (const r of ranks) {
    let lo = 0;
    let hi = FINE_BINS - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid + 1]! > r) hi = mid;
      else lo = mid + 1;
    }
    binOfRank.set(r, lo);
    if (slotOfBin[lo] === -1) {
      slotOfBin[lo] = neededBins.length;
      neededBins.push(lo);
    }
  }
  const gathered = neededBins.map((b) => new Float64Array(fine[b]!));
  const fill = new Int32Array(neededBins.length);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (x !== x) continue;
    let b = Math.floor((x / by - min) * scale);
    if (b >= FINE_BINS) b = FINE_BINS - 1;
    const slot = slotOfBin[b]!;
    if (slot >= 0) gathered[slot]![fill[slot]!++] = x;
  }
  for (const g of gathered) g.sort();
  const orderStatistic = (r: number): number => {
    const b = binOfRank.get(r)!;
    return gathered[slotOfBin[b]!]![r - cumulative[b]!]!;
  };
  const out: Record<string, number> = {};
  for (const [name, p] of QUANTILES) {
    const h = (count - 1) * p;
    const lo = Math.floor(h);
    const a = orderStatistic(lo);
    const b = orderStatistic(Math.min(count - 1, lo + 1));
    const t = h - lo;
    const q = a + (b - a) * t;
    // b - a overflows when the neighbours are near -1e308 and +1e308.
    out[name] = Number.isFinite(q) ? q : a * (1 - t) + b * t;
  }
  return out;
}

/** Exact count of distinct non-NaN values (0 and -0 are one value), with an open-addressing table. */
export function countDistinct(values: Float64Array, count: number): number {
  let capacity = 16;
  while (capacity < count * 2) capacity *= 2;
  const mask = capacity - 1;
  const slots = new Float64Array(capacity);
  const used = new Uint8Array(capacity);
  const scratch = new Float64Array(1);
  const bits = new Uint32Array(scratch.buffer);
  let distinct = 0;
  for (let i = 0; i < values.length; i++) {
    let x = values[i]!;
    if (x !== x) continue;
    if (x === 0) x = 0;
    scratch[0] = x;
    let h = Math.imul(bits[0]! ^ Math.imul(bits[1]!, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 15;
    let s = h & mask;
    for (;;) {
      if (used[s] === 0) {
        used[s] = 1;
        slots[s] = x;
        distinct++;
        break;
      }
      if (slots[s] === x) break;
      s = (s + 1) & mask;
    }
  }
  return distinct;
}
