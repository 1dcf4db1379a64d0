/** Curves of a binary classifier's scores, for reports. Each is at most `points` points long. */
import { descending, tiedScores } from './metrics.js';

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
  const sums = new Float64Array(calibrationBins);
  const hits = new Float64Array(calibrationBins);
  const counts = new Float64Array(calibrationBins);
  for (let i = 0; i < y.length; i++) {
    const b = Math.min(calibrationBins - 1, Math.max(0, Math.floor(score[i]! * calibrationBins)));
    sums[b] += score[i]!;
    hits[b] += y[i] === 1 ? 1 : 0;
    counts[b]!++;
  }
  const calibration = [];
  for (let b = 0; b < calibrationBins; b++) if (counts[b]! > 0) calibration.push({ x: sums[b]! / counts[b]!, y: hits[b]! / counts[b]!, n: counts[b]! });
  return { roc: thin(roc, points), pr: thin(pr, points), calibration, gain: thin(gain, points) };
}
