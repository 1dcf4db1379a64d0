import { moments, type NumericSketch } from './sketch.js';

/** The prediction score's distribution in a window: its mean and quartiles (the confidence over time, for a classifier). */
export interface ScoreSummary {
  mean: number;
  p10: number;
  p50: number;
  p90: number;
}

/**
 * A score sketch summarized. Quantiles are read off the bins, a value taken as spread evenly within its
 * bin (between its edges; the sketch's min and max bound the bins below and above the reference's range),
 * so they are exact to within a bin: 2% of the reference's scores each.
 */
export function scoreSummary(sketch: NumericSketch): ScoreSummary | null {
  const { mean, n } = moments(sketch);
  if (n === 0) return null;
  return { mean, p10: quantile(sketch, n, 0.1), p50: quantile(sketch, n, 0.5), p90: quantile(sketch, n, 0.9) };
}

function quantile(sketch: NumericSketch, n: number, q: number): number {
  const { edges, counts } = sketch;
  const target = q * n;
  let seen = 0;
  for (let k = 0; k < counts.length; k++) {
    const c = counts[k]!;
    if (c === 0 || seen + c < target) {
      seen += c;
      continue;
    }
    // Bin k spans (edges[k − 1], edges[k]]; the first and last are bounded by what the window saw.
    const lo = k === 0 ? Math.min(sketch.min, edges[0] ?? sketch.min) : edges[k - 1]!;
    const hi = k === counts.length - 1 ? Math.max(sketch.max, edges.at(-1) ?? sketch.max) : edges[k]!;
    const within = Math.min(1, Math.max(0, (target - seen) / c));
    return Math.min(sketch.max, Math.max(sketch.min, lo + within * (hi - lo)));
  }
  return sketch.max;
}
