/**
 * Two-sample Kolmogorov–Smirnov test, two-sided, following scipy.stats.ks_2samp(method='auto'):
 * exact p-value while both samples have at most 10 000 values, the asymptotic one beyond.
 */
import { kolmogorovSf } from './special.js';
import { type Numbers, requireCounts, requireFiniteSample, sortedCopy } from './validate.js';

export interface TestResult {
  statistic: number;
  pValue: number;
}

export interface KsResult extends TestResult {
  /** Whether the p-value is the exact permutation probability (else the asymptotic Kolmogorov tail). */
  exact: boolean;
}

/** scipy's 'auto' rule: exact while max(n, m) <= 10 000, asymptotic otherwise. */
export const KS_EXACT_MAX_SAMPLE = 10_000;

/**
 * max |n_A(x)·m − n_B(x)·n| over the pooled values, where n_A(x) counts a's values <= x.
 * Kept as an integer (n·m·D) so the exact p-value can compare lattice points without rounding.
 */
function scaledMaxEcdfGap(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let widest = 0;
  while (i < n || j < m) {
    const next = Math.min(i < n ? a[i] : Infinity, j < m ? b[j] : Infinity);
    // Step past every copy of `next` in both samples: ties move both ECDFs at once.
    while (i < n && a[i] === next) i++;
    while (j < m && b[j] === next) j++;
    widest = Math.max(widest, Math.abs(i * m - j * n));
  }
  return widest;
}

/**
 * P(D >= observed) under H0: the share of the C(n+m, n) equally likely merge orders whose path
 * touches |i·m − j·n| >= gap. `reached[j]` is the share of paths into (i, j) that have already
 * touched it; dividing counts by C(i+j, i) turns the path-count recursion into a weighted
 * average, so nothing overflows and the (tiny) outside probability is summed directly.
 */
function exactTwoSidedPValue(n: number, m: number, gap: number): number {
  if (gap === 0) return 1;
  const reached = new Float64Array(m + 1);
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= m; j++) {
      if (Math.abs(i * m - j * n) >= gap) reached[j] = 1;
      else if (i === 0 && j === 0) reached[j] = 0;
      else if (i === 0) reached[j] = reached[j - 1];
      else if (j === 0) continue; // reached[0] still holds row i − 1, and C(i, i) paths: share unchanged
      else reached[j] = (i * reached[j] + j * reached[j - 1]) / (i + j);
    }
  }
  return reached[m];
}

/** Two-sided two-sample KS test on raw samples; matches scipy.stats.ks_2samp(a, b). */
export function ksTwoSample(a: Numbers, b: Numbers): KsResult {
  requireFiniteSample(a, 'a');
  requireFiniteSample(b, 'b');
  const n = a.length;
  const m = b.length;
  const gap = scaledMaxEcdfGap(sortedCopy(a), sortedCopy(b));
  const statistic = gap / (n * m);
  if (Math.max(n, m) <= KS_EXACT_MAX_SAMPLE) {
    return { statistic, pValue: exactTwoSidedPValue(n, m, gap), exact: true };
  }
  return { statistic, pValue: asymptoticPValue(statistic, n, m), exact: false };
}

/** Kolmogorov's limit law at sqrt(n·m / (n + m))·D. */
function asymptoticPValue(statistic: number, n: number, m: number): number {
  return kolmogorovSf(statistic * Math.sqrt((n * m) / (n + m)));
}

/**
 * KS statistic between two histograms over the same ordered bins: max |F_A − F_B| at the bin
 * edges, with the asymptotic p-value at the effective size n·m / (n + m) (n, m: the totals).
 * For when only binned sketches exist. It is a lower bound of the raw-sample statistic — the
 * ECDF gap is only looked at on the edges, never inside a bin — so the p-value is an upper bound.
 */
export function ksBinned(countsA: Numbers, countsB: Numbers): TestResult {
  if (countsA.length !== countsB.length) {
    throw new RangeError(`countsA and countsB must cover the same bins, got ${countsA.length} and ${countsB.length}`);
  }
  const n = requireCounts(countsA, 'countsA');
  const m = requireCounts(countsB, 'countsB');
  let cumulativeA = 0;
  let cumulativeB = 0;
  let statistic = 0;
  for (let k = 0; k < countsA.length; k++) {
    cumulativeA += countsA[k];
    cumulativeB += countsB[k];
    statistic = Math.max(statistic, Math.abs(cumulativeA / n - cumulativeB / m));
  }
  return { statistic, pValue: asymptoticPValue(statistic, n, m) };
}
