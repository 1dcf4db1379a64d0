/**
 * Isotonic calibration of a binary classifier's probabilities, fitted on held-out rows by pool-adjacent-
 * violators: the monotone step function closest (in squared error) to the labels in score order. What
 * confidence-based performance estimation reads a window's probabilities through (NannyML calibrates
 * the same way by default), kept in the monitoring reference as its steps.
 */
export interface Calibration {
  /** Upper score of each step, ascending; a score above the last belongs to the last step. */
  upper: number[];
  /** Each step's share of positives. */
  rate: number[];
}

export function fitIsotonic(scores: ArrayLike<number>, y: ArrayLike<number>): Calibration {
  const order = Array.from({ length: scores.length }, (_, i) => i)
    .filter((i) => Number.isFinite(scores[i]!))
    .sort((a, b) => scores[a]! - scores[b]!);
  // Blocks of (sum of labels, count, highest score), merged while a block's mean is not above the one before.
  // Rows of one score start as one block: a score maps to one step.
  const sum: number[] = [];
  const count: number[] = [];
  const upper: number[] = [];
  for (let k = 0; k < order.length; ) {
    let labels = 0;
    let rows = 0;
    const score = scores[order[k]!]!;
    for (; k < order.length && scores[order[k]!] === score; k++) {
      labels += y[order[k]!]!;
      rows++;
    }
    sum.push(labels);
    count.push(rows);
    upper.push(score);
    while (sum.length > 1 && sum[sum.length - 2]! / count[count.length - 2]! >= sum[sum.length - 1]! / count[count.length - 1]!) {
      const s = sum.pop()!;
      const c = count.pop()!;
      const u = upper.pop()!;
      sum[sum.length - 1] += s;
      count[count.length - 1] += c;
      upper[upper.length - 1] = u;
    }
  }
  return { upper, rate: sum.map((s, k) => s / count[k]!) };
}

/** The calibrated probability of a score: its step's rate. */
export function calibrated(c: Calibration, score: number): number {
  if (c.upper.length === 0) return score;
  return c.rate[calibrationStep(c, score)]!;
}

/** The step a score falls in (the first whose upper score is at or above it; the last above them all). */
export function calibrationStep(c: Calibration, score: number): number {
  let lo = 0;
  let hi = c.upper.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (score <= c.upper[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
