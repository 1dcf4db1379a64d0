/**
 * Metrics, defined as scikit-learn defines them (tests check each against its fixtures). Labels are
 * class codes 0 … k − 1 (1 is the positive class of a binary task); scores are probabilities.
 */

/** Probabilities are clipped to [EPS, 1 − EPS] in log loss, as scikit-learn 1.2 does. */
const EPS = 1e-15;

/** From this many scores, rows are ordered by a radix sort of the scores' bits (a comparison sort of 800,000 took ~0.3 s). */
const RADIX_FROM = 4096;
/** Which half of a float64's bytes holds its sign and exponent on this machine. */
const HIGH_WORD = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? 1 : 0;

/** Row indices by score, best first; NaN scores last; ties (0 and −0 too) keep row order. */
export function descending(score: ArrayLike<number>): Int32Array {
  const n = score.length;
  if (n < RADIX_FROM) return byComparison(score);
  // Keys whose ascending order is the rows': a double's bits made to sort as the number does (negatives
  // inverted, positives with the sign bit set), then inverted for best first; NaN the largest key.
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  const f = new Float64Array(1);
  const words = new Uint32Array(f.buffer);
  for (let i = 0; i < n; i++) {
    const s = score[i]!;
    if (s !== s) {
      hi[i] = lo[i] = 0xffffffff;
      continue;
    }
    f[0] = s === 0 ? 0 : s;
    let h = words[HIGH_WORD]!;
    let l = words[1 - HIGH_WORD]!;
    if (h >>> 31 === 1) {
      h = ~h;
      l = ~l;
    } else h |= 0x80000000;
    hi[i] = ~h >>> 0;
    lo[i] = ~l >>> 0;
  }
  // Least significant digit first, 16 bits a pass; each pass is stable, so ties keep row order.
  let order = Int32Array.from({ length: n }, (_, i) => i);
  let next = new Int32Array(n);
  const starts = new Int32Array(65536);
  for (const [keys, shift] of [[lo, 0], [lo, 16], [hi, 0], [hi, 16]] as const) {
    starts.fill(0);
    for (let i = 0; i < n; i++) starts[(keys[i]! >>> shift) & 0xffff]!++;
    // Every key has this digit: the pass would move nothing.
    if (starts[(keys[0]! >>> shift) & 0xffff] === n) continue;
    for (let d = 0, sum = 0; d < 65536; d++) {
      const c = starts[d]!;
      starts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const row = order[i]!;
      next[starts[(keys[row]! >>> shift) & 0xffff]!++] = row;
    }
    [order, next] = [next, order];
  }
  return order;
}

function byComparison(score: ArrayLike<number>): Int32Array {
  const order = Int32Array.from({ length: score.length }, (_, i) => i);
  return order.sort((a, b) => {
    const sa = score[a]!;
    const sb = score[b]!;
    if (sa !== sa) return sb !== sb ? 0 : 1;
    return sb !== sb ? -1 : sb - sa;
  });
}

/** Scores tied in a sweep; NaN ties NaN, so a group always takes at least its first row (NaN === NaN is false, and a sweep on it never ended). */
export const tiedScores = (a: number, b: number): boolean => a === b || (a !== a && b !== b);

const hasNaN = (score: ArrayLike<number>): boolean => {
  for (let i = 0; i < score.length; i++) if (score[i] !== score[i]) return true;
  return false;
};

/** ROC AUC: the probability that a random positive scores above a random negative, ties counting half. */
export function rocAuc(y: ArrayLike<number>, score: ArrayLike<number>): number {
  // A NaN score ranks nowhere: the area is undefined.
  if (hasNaN(score)) return NaN;
  const order = descending(score);
  let pos = 0;
  let neg = 0;
  let area = 0;
  // Walk groups of tied scores from the top: each negative is outranked by the positives above it,
  // and half of those tied with it.
  for (let r = 0; r < order.length; ) {
    let e = r;
    let groupPos = 0;
    let groupNeg = 0;
    while (e < order.length && tiedScores(score[order[e]!]!, score[order[r]!]!)) {
      if (y[order[e]!] === 1) groupPos++;
      else groupNeg++;
      e++;
    }
    area += groupNeg * (pos + groupPos / 2);
    pos += groupPos;
    neg += groupNeg;
    r = e;
  }
  return pos === 0 || neg === 0 ? NaN : area / (pos * neg);
}

/** Average precision (the area under the precision-recall curve as a step sum), as scikit-learn's average_precision_score. */
export function averagePrecision(y: ArrayLike<number>, score: ArrayLike<number>): number {
  if (hasNaN(score)) return NaN;
  const order = descending(score);
  let positives = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === 1) positives++;
  if (positives === 0) return NaN;
  let tp = 0;
  let seen = 0;
  let lastRecall = 0;
  let ap = 0;
  for (let r = 0; r < order.length; ) {
    let e = r;
    while (e < order.length && tiedScores(score[order[e]!]!, score[order[r]!]!)) {
      if (y[order[e]!] === 1) tp++;
      seen++;
      e++;
    }
    const recall = tp / positives;
    ap += (recall - lastRecall) * (tp / seen);
    lastRecall = recall;
    r = e;
  }
  return ap;
}

export function logLoss(y: ArrayLike<number>, p: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const q = Math.min(Math.max(y[i] === 1 ? p[i]! : 1 - p[i]!, EPS), 1 - EPS);
    s -= Math.log(q);
  }
  return s / y.length;
}

export function brier(y: ArrayLike<number>, p: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (p[i]! - y[i]!) ** 2;
  return s / y.length;
}

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** Counts with rows scoring ≥ threshold predicted positive. */
export function confusionAt(y: ArrayLike<number>, p: ArrayLike<number>, threshold: number): Confusion {
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < y.length; i++) {
    const predicted = p[i]! >= threshold;
    if (y[i] === 1) predicted ? c.tp++ : c.fn++;
    else predicted ? c.fp++ : c.tn++;
  }
  return c;
}

/** 0 where a ratio's denominator is 0, as scikit-learn (with its warning) does. */
const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

export interface ThresholdMetrics {
  threshold: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  specificity: number;
  confusion: Confusion;
}

export function thresholdMetrics(y: ArrayLike<number>, p: ArrayLike<number>, threshold: number): ThresholdMetrics {
  const c = confusionAt(y, p, threshold);
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  return {
    threshold,
    accuracy: (c.tp + c.tn) / y.length,
    precision,
    recall,
    f1: ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn),
    specificity: ratio(c.tn, c.tn + c.fp),
    confusion: c,
  };
}

export type ThresholdRule = { kind: 'max-f1' } | { kind: 'recall'; target: number } | { kind: 'cost'; falsePositive: number; falseNegative: number };

/**
 * The threshold a rule picks among the distinct scores: the one with the highest F1, the highest one
 * whose recall reaches the target, or the one with the least total cost of errors.
 */
export function chooseThreshold(y: ArrayLike<number>, p: ArrayLike<number>, rule: ThresholdRule): number {
  const order = descending(p);
  let positives = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === 1) positives++;
  let tp = 0;
  let fp = 0;
  let best = Infinity;
  let bestValue = rule.kind === 'cost' ? Infinity : -Infinity;
  // Predicting nothing positive: threshold above every score.
  if (rule.kind === 'cost') bestValue = positives * rule.falseNegative;
  for (let r = 0; r < order.length; ) {
    const t = p[order[r]!]!;
    while (r < order.length && tiedScores(p[order[r]!]!, t)) {
      if (y[order[r]!] === 1) tp++;
      else fp++;
      r++;
    }
    const fn = positives - tp;
    if (rule.kind === 'max-f1') {
      const f1 = ratio(2 * tp, 2 * tp + fp + fn);
      if (f1 > bestValue) [bestValue, best] = [f1, t];
    } else if (rule.kind === 'recall') {
      if (ratio(tp, positives) >= rule.target) return t;
    } else {
      const cost = fp * rule.falsePositive + fn * rule.falseNegative;
      if (cost < bestValue) [bestValue, best] = [cost, t];
    }
  }
  return rule.kind === 'recall' ? (order.length > 0 ? p[order[order.length - 1]!]! : 0.5) : best;
}

export interface ClassReport {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface MulticlassMetrics {
  accuracy: number;
  macroF1: number;
  weightedF1: number;
  logLoss: number;
  perClass: ClassReport[];
  /** confusion[actual][predicted]. */
  confusion: number[][];
}

/** proba: n × k row-major; the predicted class is the most probable (the first on ties). */
export function multiclassMetrics(y: ArrayLike<number>, proba: ArrayLike<number>, labels: readonly string[]): MulticlassMetrics {
  const k = labels.length;
  const n = y.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 0; c < k; c++) {
      if (proba[i * k + c]! > proba[i * k + best]!) best = c;
    }
    const actual = y[i]!;
    confusion[actual]![best]!++;
    if (best === actual) correct++;
    // As scikit-learn: clip, then renormalise the row.
    let clippedSum = 0;
    for (let c = 0; c < k; c++) clippedSum += Math.min(Math.max(proba[i * k + c]!, EPS), 1 - EPS);
    loss -= Math.log(Math.min(Math.max(proba[i * k + actual]!, EPS), 1 - EPS) / clippedSum);
  }
  const perClass: ClassReport[] = labels.map((label, c) => {
    let predicted = 0;
    let support = 0;
    for (let a = 0; a < k; a++) predicted += confusion[a]![c]!;
    for (let q = 0; q < k; q++) support += confusion[c]![q]!;
    const tp = confusion[c]![c]!;
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    return { label, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
  const macroF1 = perClass.reduce((s, r) => s + r.f1, 0) / k;
  const weightedF1 = perClass.reduce((s, r) => s + r.f1 * r.support, 0) / n;
  return { accuracy: correct / n, macroF1, weightedF1, logLoss: loss / n, perClass, confusion };
}

export interface RegressionMetrics {
  rmse: number;
  mae: number;
  /** NaN when a target or prediction is below zero (the log is undefined there). */
  rmsle: number;
  r2: number;
  mape: number;
}

export function regressionMetrics(y: ArrayLike<number>, p: ArrayLike<number>): RegressionMetrics {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i]!;
  mean /= n;
  let se = 0;
  let ae = 0;
  let sle = 0;
  let tot = 0;
  let ape = 0;
  let negative = false;
  for (let i = 0; i < n; i++) {
    const e = y[i]! - p[i]!;
    se += e * e;
    ae += Math.abs(e);
    tot += (y[i]! - mean) ** 2;
    // scikit-learn divides by max(|y|, machine epsilon).
    ape += Math.abs(e) / Math.max(Math.abs(y[i]!), 2.220446049250313e-16);
    if (y[i]! < 0 || p[i]! < 0) negative = true;
    else sle += (Math.log1p(y[i]!) - Math.log1p(p[i]!)) ** 2;
  }
  return {
    rmse: Math.sqrt(se / n),
    mae: ae / n,
    rmsle: negative ? NaN : Math.sqrt(sle / n),
    // A constant target: scikit-learn gives 1 for a perfect fit and 0 otherwise.
    r2: tot === 0 ? (se === 0 ? 1 : 0) : 1 - se / tot,
    mape: ape / n,
  };
}
