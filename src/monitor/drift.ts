import { chiSquareContingency, jensenShannon, ksBinned, psi, twoProportionZ, wassersteinBinned } from './stats/index.js';
import { moments, rows, type CategoricalSketch, type ColumnSketch, type NumericSketch } from './sketch.js';

/**
 * Drift of one column, reference against a window (or a window against the one before), judged as
 * Evidently judges it by default, and by effect size on large windows so that big samples do not always
 * "drift" (evidently#50): up to SMALL_WINDOW rows, a test (KS for numbers, chi² for categories) at
 * p < alpha; above, the effect alone: Wasserstein distance in reference standard deviations for numbers,
 * Jensen–Shannon distance for categories, against a threshold. Every column also gets its PSI, a change
 * in its missing share (a two-proportion z-test, and at least MISSING_STEP apart), and its new categories.
 */
export interface DriftOptions {
  /** A test's significance on small windows. */
  alpha: number;
  /** Wasserstein distance in reference standard deviations from which a large window's number drifted. */
  wasserstein: number;
  /** Jensen–Shannon distance (natural log) from which a large window's category drifted. */
  jensenShannon: number;
  /**
   * Rows a window needs before its columns are judged (default MIN_ROWS): a handful of rows makes a test's
   * p-value meaningless and an effect noise, and an hour of low traffic would alarm. The range is always judged.
   */
  minRows?: number;
}

/** A window's rows below which its drift is not judged (a chi² cell or a KS step is a few rows' whim below it). */
export const MIN_ROWS = 30;
export const DEFAULT_DRIFT: DriftOptions = { alpha: 0.05, wasserstein: 0.1, jensenShannon: 0.1, minRows: MIN_ROWS };
/** Windows of up to this many rows are tested; larger ones judged by effect size. */
export const SMALL_WINDOW = 1000;
/** Least change in a column's missing share called drift, however significant. */
export const MISSING_STEP = 0.02;

export interface ColumnDrift {
  column: string;
  type: 'numeric' | 'categorical';
  /** What decided: a test on a small window, or the effect on a large one. */
  test: 'ks' | 'chi2' | 'wasserstein' | 'jensen-shannon' | 'too-few-rows';
  /** The test's statistic (KS D, chi²) or the effect (as `effect`). */
  statistic: number;
  pValue?: number;
  /** Wasserstein distance in reference standard deviations (numbers), Jensen–Shannon distance (categories). */
  effect: number;
  psi: number;
  drifted: boolean;
  rows: number;
  missing: { reference: number; window: number; pValue: number; drifted: boolean };
  /** Labels the reference never had, with their share of the window. */
  newCategories?: { label: string; share: number }[];
}

/** Drift of one column's window sketch against its reference sketch (same bins). */
export function columnDrift(column: string, reference: ColumnSketch, window: ColumnSketch, options: DriftOptions = DEFAULT_DRIFT): ColumnDrift {
  const values = reference.kind === 'numeric' ? numericDrift(reference, window as NumericSketch, options) : categoricalDrift(reference, window as CategoricalSketch, options);
  const nRef = rows(reference);
  const nWin = rows(window);
  const missingRef = nRef === 0 ? 0 : reference.missing / nRef;
  const missingWin = nWin === 0 ? 0 : window.missing / nWin;
  // Nothing missing on either side: nothing to test.
  const z = reference.missing + window.missing === 0 ? { statistic: 0, pValue: 1 } : twoProportionZ(reference.missing, nRef, window.missing, nWin);
  const missingDrifted = nWin > 0 && z.pValue < options.alpha && Math.abs(missingWin - missingRef) >= MISSING_STEP;
  return { column, ...values, drifted: values.drifted || missingDrifted, rows: nWin, missing: { reference: missingRef, window: missingWin, pValue: z.pValue, drifted: missingDrifted } };
}

/** A column of a window too small to judge (under DriftOptions.minRows rows): reported, never drifted. */
export function tooFewRows(column: string, reference: ColumnSketch, window: ColumnSketch): ColumnDrift {
  const share = (s: ColumnSketch): number => (rows(s) === 0 ? 0 : s.missing / rows(s));
  return { column, type: window.kind, test: 'too-few-rows', statistic: 0, effect: 0, psi: 0, drifted: false, rows: rows(window), missing: { reference: share(reference), window: share(window), pValue: 1, drifted: false } };
}

type ValueDrift = Pick<ColumnDrift, 'type' | 'test' | 'statistic' | 'pValue' | 'effect' | 'psi' | 'drifted' | 'newCategories'>;

function numericDrift(reference: NumericSketch, window: NumericSketch, options: DriftOptions): ValueDrift {
  const n = window.counts.reduce((s, c) => s + c, 0);
  const { sd, n: present } = moments(reference);
  // A reference with no values (a column always missing in training) has no distribution to compare.
  if (present === 0) return { type: 'numeric', test: 'ks', statistic: 0, effect: 0, psi: 0, drifted: false };
  // The outer bins run to the furthest value either side saw; one that holds only the edge value itself
  // gets a sliver of width, so the bounds increase (its mass sits at the edge either way).
  const first = reference.edges[0] ?? 0;
  const last = reference.edges[reference.edges.length - 1] ?? 0;
  const sliver = Math.max(1e-12, (last - first) * 1e-9);
  const lo = Math.min(reference.min, window.min, first - sliver);
  const hi = Math.max(reference.max, window.max, last + sliver);
  const bounds = [lo, ...reference.edges, hi];
  const distance = n === 0 ? 0 : wassersteinBinned(bounds, reference.counts, window.counts);
  const effect = sd > 0 ? distance / sd : distance > 0 ? Infinity : 0;
  // psi takes counts (it turns them into shares).
  const stability = n === 0 ? 0 : psi(reference.counts, window.counts);
  if (n === 0) return { type: 'numeric', test: 'ks', statistic: 0, effect: 0, psi: 0, drifted: false };
  if (n <= SMALL_WINDOW) {
    const ks = ksBinned(reference.counts, window.counts);
    return { type: 'numeric', test: 'ks', statistic: ks.statistic, pValue: ks.pValue, effect, psi: stability, drifted: ks.pValue < options.alpha };
  }
  return { type: 'numeric', test: 'wasserstein', statistic: effect, effect, psi: stability, drifted: effect >= options.wasserstein };
}

function categoricalDrift(reference: CategoricalSketch, window: CategoricalSketch, options: DriftOptions): ValueDrift {
  const n = window.counts.reduce((s, c) => s + c, 0);
  const newCategories = Object.entries(window.unseen)
    .sort((a, b) => b[1] - a[1])
    .map(([label, count]) => ({ label, share: n === 0 ? 0 : count / n }));
  if (n === 0 || reference.counts.every((c) => c === 0)) return { type: 'categorical', test: 'chi2', statistic: 0, effect: 0, psi: 0, drifted: false, newCategories };
  // Cells empty on both sides say nothing (and would make the test's degrees of freedom wrong).
  const keep = reference.counts.map((c, k) => c + window.counts[k]! > 0);
  const a = reference.counts.filter((_, k) => keep[k]);
  const b = window.counts.filter((_, k) => keep[k]);
  const effect = jensenShannon(a, b);
  const stability = psi(a, b);
  if (n <= SMALL_WINDOW && a.length > 1) {
    const chi = chiSquareContingency(a, b);
    return { type: 'categorical', test: 'chi2', statistic: chi.statistic, pValue: chi.pValue, effect, psi: stability, drifted: chi.pValue < options.alpha, newCategories };
  }
  return { type: 'categorical', test: 'jensen-shannon', statistic: effect, effect, psi: stability, drifted: effect >= options.jensenShannon, newCategories };
}
