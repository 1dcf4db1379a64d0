/** Curves of a binary classifier's scores, for reports. Each is at most `points` points long. */
import { averagePrecision, descending, rocAuc, tiedScores } from './metrics.js';

export interface Point {
  x: number;
  y: number;
}

export interface Curves {
  /** x = false positive rate, y = true positive rate. */
  roc: Point[];
  /** x = recall, y = precision. */
  pr: Point[];
  /** x = mean predicted probability in a bin, y = share of positives there; n = rows in the bin. */
  calibration: (Point & { n: number })[];
  /** x = share of rows taken, best scores first; y = share of positives they hold. */
  gain: Point[];
}

/** Counts of positives and negatives above each distinct score, best first. */
function sweep(y: ArrayLike<number>, score: ArrayLike<number>): { tp: number[]; fp: number[]; positives: number; negatives: number } {
  const order = descending(score);
  const tp: number[] = [0];
  const fp: number[] = [0];
  let t = 0;
  let f = 0;
  for (let r = 0; r < order.length; ) {
    const s = score[order[r]!]!;
    while (r < order.length && tiedScores(score[order[r]!]!, s)) {
      if (y[order[r]!] === 1) t++;
      else f++;
      r++;
    }
    tp.push(t);
    fp.push(f);
  }
  return { tp, fp, positives: t, negatives: f };
}

/** Every k-th point, always keeping the last, so a curve of a million rows stays small. */
function thin<T>(points: T[], most: number): T[] {
  if (points.length <= most) return points;
  const step = (points.length - 1) / (most - 1);
  return Array.from({ length: most }, (_, i) => points[Math.round(i * step)]!);
}

export function curves(y: ArrayLike<number>, score: ArrayLike<number>, points = 200, calibrationBins = 10): Curves {
  const { tp, fp, positives, negatives } = sweep(y, score);
  const roc = tp.map((t, i) => ({ x: negatives === 0 ? 0 : fp[i]! / negatives, y: positives === 0 ? 0 : t / positives }));
  const pr = tp.slice(1).map((t, i) => ({ x: positives === 0 ? 0 : t / positives, y: t / (t + fp[i + 1]!) }));
  const gain = tp.map((t, i) => ({ x: (t + fp[i]!) / Math.max(1, y.length), y: positives === 0 ? 0 : t / positives }));
  return { roc: thin(roc, points), pr: thin(pr, points), calibration: calibrationCurve(y, score, calibrationBins), gain: thin(gain, points) };
}

/** The calibration curve: for each of `bins` equal-width bins of the score that holds rows, the mean score (x), the positives' rate (y) and its rows. */
export function calibrationCurve(y: ArrayLike<number>, score: ArrayLike<number>, bins = 10): (Point & { n: number })[] {
  const sums = new Float64Array(bins);
  const hits = new Float64Array(bins);
  const counts = new Float64Array(bins);
  for (let i = 0; i < y.length; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(score[i]! * bins)));
    sums[b] += score[i]!;
    hits[b] += y[i] === 1 ? 1 : 0;
    counts[b]!++;
  }
  const calibration = [];
  for (let b = 0; b < bins; b++) if (counts[b]! > 0) calibration.push({ x: sums[b]! / counts[b]!, y: hits[b]! / counts[b]!, n: counts[b]! });
  return calibration;
}

/** Expected calibration error: the gap between mean score and positives' rate in each bin of the calibration curve, weighted by its rows. 0 when the probabilities mean what they say. */
export function calibrationError(y: ArrayLike<number>, score: ArrayLike<number>, bins = 10): number {
  if (y.length === 0) return NaN;
  return calibrationCurve(y, score, bins).reduce((s, p) => s + p.n * Math.abs(p.x - p.y), 0) / y.length;
}

/** One class against all the others: its ROC and PR curves, and their areas. */
export interface ClassCurves {
  label: string;
  /** Rows of this class. */
  support: number;
  auc: number;
  /** Average precision: the area under the PR curve as a step sum. */
  ap: number;
  /** Kept only for the `draw` largest classes, so the evaluation of many classes stays small. */
  roc?: Point[];
  pr?: Point[];
}

/**
 * One-vs-rest curves of a multiclass model: for each class, its probability column (row-major n × k
 * scores) scored against the indicator "is this class". Every class gets AUC and AP; the `draw`
 * classes with the most rows also get their (thinned) curves.
 */
export function oneVsRest(y: ArrayLike<number>, proba: ArrayLike<number>, labels: readonly string[], draw = 10, points = 100): ClassCurves[] {
  const k = labels.length;
  const n = y.length;
  const support = labels.map((_, c) => {
    let s = 0;
    for (let i = 0; i < n; i++) if (y[i] === c) s++;
    return s;
  });
  const drawn = new Set(support.map((s, c) => ({ s, c })).sort((a, b) => b.s - a.s || a.c - b.c).slice(0, draw).map((e) => e.c));
  return labels.map((label, c) => {
    const is = new Uint8Array(n);
    const p = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      is[i] = y[i] === c ? 1 : 0;
      p[i] = proba[i * k + c]!;
    }
    const out: ClassCurves = { label, support: support[c]!, auc: rocAuc(is, p), ap: averagePrecision(is, p) };
    if (drawn.has(c)) {
      const cc = curves(is, p, points);
      // Four decimals are far finer than a chart's pixel, and keep the evaluation's JSON small.
      const round = (q: Point): Point => ({ x: Math.round(q.x * 1e4) / 1e4, y: Math.round(q.y * 1e4) / 1e4 });
      out.roc = cc.roc.map(round);
      out.pr = cc.pr.map(round);
    }
    return out;
  });
}
