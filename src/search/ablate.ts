import { HyperplaneError } from '../errors.js';
import { better, metricOf, type EvalTask as Task, type MetricName } from '../evaluate/evaluate.js';
import { kFolds, pickScores } from '../evaluate/splits.js';

/**
 * What an ablation retrains: the pipeline's out-of-fold scores (rows × classes; one a row for regression)
 * with the named columns dropped (none: the full pipeline), each fold's rows scored by a fit on the others.
 */
export interface AblationObjective {
  scores(dropped: readonly string[], assignment: Int32Array): Promise<Float64Array>;
}

export interface AblationOptions {
  task: Task;
  labels: readonly string[];
  metric: MetricName;
  /** The labelled rows' targets (class codes or values). */
  y: Float64Array;
  folds: number;
  /** Seeds the folds (stratified for classification), as the pipeline's cross-validation does. */
  seed: number;
  /** Each row's fold, when not seeded k-fold (group folds: rows of one customer in one fold). */
  assignment?: Int32Array;
  /** Each group of columns dropped together, in the order given. */
  groups: readonly (readonly string[])[];
  /** After each group, for progress. */
  onGroup?: (group: AblatedGroup, done: number, total: number, metric: MetricName) => void;
}

/** The band around a cost: a 95% t interval of the mean of the paired per-fold differences. */
export const BAND = '95% t interval of the paired per-fold differences';

export interface AblatedGroup {
  columns: string[];
  /** The metric with the columns dropped, the mean over folds. */
  score: number;
  perFold: number[];
  /** How much worse the metric is without the columns (positive: they help), the mean of the paired per-fold differences. */
  cost: number;
  /** The 95% t interval of that mean (NaN: fewer than 2 folds with a score). */
  low: number;
  high: number;
  /** The band excludes 0: dropping the columns changes the metric beyond the folds' noise (cost < 0: it helps). */
  significant: boolean;
}

export interface Ablation {
  metric: MetricName;
  task: Task;
  rows: number;
  folds: number;
  seed: number;
  band: string;
  /** The full pipeline's metric, the mean over folds. */
  full: { score: number; perFold: number[] };
  /** Most costly first (a cost that could not be measured last). */
  groups: AblatedGroup[];
}

/**
 * Retrains the pipeline once on every fold without each group of columns, and measures each group's cost: the
 * fold-by-fold change in the metric against the full pipeline on the same folds, made positive when dropping
 * hurts, with a t interval from the paired differences. Folds share training rows, so their differences are
 * correlated and the band is, if anything, narrow: read a 'significant' near 0 with care.
 */
export async function ablate(objective: AblationObjective, options: AblationOptions): Promise<Ablation> {
  const { task, labels, metric, y, folds, seed } = options;
  if (options.groups.length === 0) throw new HyperplaneError('nothing to ablate: no group of columns');
  const assignment = options.assignment ?? kFolds(y, folds, seed, task !== 'regression');
  const rowsOf = Array.from({ length: folds }, (_, f) => Int32Array.from({ length: y.length }, (_, i) => i).filter((i) => assignment[i] === f));
  const perFold = (scores: Float64Array): number[] => rowsOf.map((rows) => foldMetric(metric, task, labels, y, scores, rows));
  const full = perFold(await objective.scores([], assignment));
  const sign = better(metric, 1, 0) ? 1 : -1;
  const ablated: AblatedGroup[] = [];
  for (const [g, group] of options.groups.entries()) {
    const dropped = perFold(await objective.scores(group, assignment));
    const differences = full.flatMap((score, f) => (Number.isFinite(score) && Number.isFinite(dropped[f]) ? [sign * (score - dropped[f]!)] : []));
    const { mean, low, high } = tInterval(differences);
    const result: AblatedGroup = { columns: [...group], score: meanOf(dropped), perFold: dropped, cost: mean, low, high, significant: low > 0 || high < 0 };
    ablated.push(result);
    options.onGroup?.(result, g + 1, options.groups.length, metric);
  }
  // Most costly first; a group that could not be measured last; ties in the order given.
  const order = ablated.map((a, i) => [a, i] as const).sort(([a, i], [b, j]) => (Number.isNaN(a.cost) ? 1 : 0) - (Number.isNaN(b.cost) ? 1 : 0) || (Number.isNaN(a.cost) ? 0 : b.cost - a.cost) || i - j);
  return { metric, task, rows: y.length, folds, seed, band: BAND, full: { score: meanOf(full), perFold: full }, groups: order.map(([a]) => a) };
}

/** The metric on one fold's rows (NaN where it is undefined there, e.g. AUC of a fold with one class). */
function foldMetric(metric: MetricName, task: Task, labels: readonly string[], y: Float64Array, scores: Float64Array, rows: Int32Array): number {
  const k = task === 'regression' ? 1 : labels.length;
  return metricOf(metric, task, pickScores(y, rows, 1), pickScores(scores, rows, k), labels);
}

const meanOf = (values: readonly number[]): number => {
  const finite = values.filter(Number.isFinite);
  return finite.length === 0 ? NaN : finite.reduce((s, v) => s + v, 0) / finite.length;
};

/** The 97.5% quantile of Student's t for 1 … 30 degrees of freedom. */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/** Student's t 97.5% quantile; past 30 degrees of freedom, the normal's 1.96 plus a 1/df tail (within 0.002). */
export function t975(df: number): number {
  if (!(df >= 1)) return NaN;
  return df <= 30 ? T975[Math.floor(df) - 1]! : 1.96 + 2.5 / df;
}

/** The mean of paired differences with its 95% t interval (NaN bounds with fewer than two). */
export function tInterval(differences: readonly number[]): { mean: number; low: number; high: number } {
  const n = differences.length;
  if (n === 0) return { mean: NaN, low: NaN, high: NaN };
  const mean = differences.reduce((s, d) => s + d, 0) / n;
  if (n < 2) return { mean, low: NaN, high: NaN };
  const variance = differences.reduce((s, d) => s + (d - mean) ** 2, 0) / (n - 1);
  const half = t975(n - 1) * Math.sqrt(variance / n);
  return { mean, low: mean - half, high: mean + half };
}

const GROUPS_FORM = "expected groups of columns like 'a,b;c' (groups separated by ';', columns in a group by ',')";

/** --groups 'a,b;c': each group a comma-separated list of columns, groups separated by semicolons. */
export function parseGroups(text: string): string[][] {
  const parts = text.split(';');
  return parts.map((part, i) => {
    const columns = part.split(',').map((c) => c.trim());
    if (columns.every((c) => c === '')) throw new HyperplaneError(`--groups '${text}': group ${i + 1} is empty; ${GROUPS_FORM}`);
    const blank = columns.indexOf('');
    if (blank >= 0) throw new HyperplaneError(`--groups '${text}': group ${i + 1} ('${part.trim()}') has an empty column name; ${GROUPS_FORM}`);
    return [...new Set(columns)];
  });
}

/** Every column of every group is one of `inputs`, and no group holds them all (nothing would be left to learn from). */
export function checkGroups(groups: readonly (readonly string[])[], inputs: readonly string[], target: string): void {
  const known = new Set(inputs);
  for (const group of groups) {
    for (const c of group) {
      if (known.has(c)) continue;
      const why = c === target ? 'is the target' : 'is not an input column of the run';
      const near = inputs.find((i) => i.toLowerCase() === c.toLowerCase());
      throw new HyperplaneError(`--groups: '${c}' ${why}${near !== undefined ? ` (did you mean '${near}'?)` : ''}; input columns are: ${inputs.join(', ')}`);
    }
    if (inputs.every((c) => group.includes(c))) throw new HyperplaneError(`--groups: the group '${group.join(',')}' holds every input column, and a model without them has nothing to learn from`);
  }
}
