import { HyperplaneError } from '../errors.js';
import { curves, oneVsRest, type ClassCurves, type Curves } from './curves.js';
import { averagePrecision, brier, chooseThreshold, logLoss, multiclassMetrics, regressionMetrics, rocAuc, thresholdMetrics, type MulticlassMetrics, type ThresholdMetrics } from './metrics.js';

export type EvalTask = 'binary' | 'multiclass' | 'regression';

/**
 * Metric names users choose with --metric, and whether more is better. `countsLabels`: the metric scores the
 * predicted labels, not the probabilities, and so moves in steps of whole rows.
 */
export const METRICS = {
  auc: { tasks: ['binary'], higherIsBetter: true },
  pr_auc: { tasks: ['binary'], higherIsBetter: true },
  log_loss: { tasks: ['binary', 'multiclass'], higherIsBetter: false },
  brier: { tasks: ['binary'], higherIsBetter: false },
  accuracy: { tasks: ['binary', 'multiclass'], higherIsBetter: true, countsLabels: true },
  f1: { tasks: ['binary'], higherIsBetter: true, countsLabels: true },
  macro_f1: { tasks: ['multiclass'], higherIsBetter: true, countsLabels: true },
  weighted_f1: { tasks: ['multiclass'], higherIsBetter: true, countsLabels: true },
  rmse: { tasks: ['regression'], higherIsBetter: false },
  mae: { tasks: ['regression'], higherIsBetter: false },
  rmsle: { tasks: ['regression'], higherIsBetter: false },
  r2: { tasks: ['regression'], higherIsBetter: true },
  mape: { tasks: ['regression'], higherIsBetter: false },
} as const satisfies Record<string, { tasks: readonly EvalTask[]; higherIsBetter: boolean; countsLabels?: true }>;
export type MetricName = keyof typeof METRICS;

export const DEFAULT_METRIC: Record<EvalTask, MetricName> = { binary: 'auc', multiclass: 'accuracy', regression: 'r2' };

export function checkMetric(name: string, task: EvalTask): MetricName {
  if (!(name in METRICS)) throw new HyperplaneError(`unknown metric '${name}'; metrics are: ${Object.keys(METRICS).join(', ')}`, { field: 'metric' });
  const metric = name as MetricName;
  if (!(METRICS[metric].tasks as readonly EvalTask[]).includes(task)) {
    throw new HyperplaneError(`'${name}' does not apply to a ${task} task; use one of ${Object.entries(METRICS).filter(([, m]) => (m.tasks as readonly EvalTask[]).includes(task)).map(([k]) => k).join(', ')}`, { field: 'metric' });
  }
  return metric;
}

/** True when score a is better than b on this metric. */
export function better(metric: MetricName, a: number, b: number): boolean {
  if (Number.isNaN(b)) return !Number.isNaN(a);
  return METRICS[metric].higherIsBetter ? a > b : a < b;
}

export interface Evaluation {
  task: EvalTask;
  rows: number;
  /** Every metric that applies, by name. */
  metrics: Partial<Record<MetricName, number>>;
  binary?: {
    /** At the package's threshold, and at the threshold with the best F1 on these rows. */
    atThreshold: ThresholdMetrics;
    atBestF1: ThresholdMetrics;
    curves: Curves;
  };
  multiclass?: MulticlassMetrics;
  /** Multiclass: each class against the rest (AUC and AP for all; curves for the 10 largest). */
  oneVsRest?: ClassCurves[];
}

/**
 * Every metric for labels y (codes, or values) and scores (n × k probabilities, or n values): what
 * `train` reports on its test rows and `evaluate` on new labelled data.
 */
export function evaluateScores(task: EvalTask, y: ArrayLike<number>, scores: Float64Array, labels: readonly string[] = [], threshold = 0.5): Evaluation {
  const n = y.length;
  // A broken model's NaN would make every metric quietly wrong (or, before, a sweep that never ended).
  const bad = scores.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const per = task === 'regression' ? 1 : scores.length / Math.max(n, 1);
    throw new HyperplaneError(`the model gave a non-finite score (${scores[bad]}) for evaluated row ${Math.floor(bad / per) + 1}; its metrics would be meaningless`, { field: 'model' });
  }
  if (task === 'regression') {
    const r = regressionMetrics(y, scores);
    return { task, rows: n, metrics: { ...r } };
  }
  if (task === 'multiclass') {
    const m = multiclassMetrics(y, scores, labels);
    return { task, rows: n, metrics: { accuracy: m.accuracy, macro_f1: m.macroF1, weighted_f1: m.weightedF1, log_loss: m.logLoss }, multiclass: m, oneVsRest: oneVsRest(y, scores, labels) };
  }
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) p[i] = scores[2 * i + 1]!;
  const atThreshold = thresholdMetrics(y, p, threshold);
  const atBestF1 = thresholdMetrics(y, p, chooseThreshold(y, p, { kind: 'max-f1' }));
  return {
    task,
    rows: n,
    metrics: { auc: rocAuc(y, p), pr_auc: averagePrecision(y, p), log_loss: logLoss(y, p), brier: brier(y, p), accuracy: atThreshold.accuracy, f1: atThreshold.f1 },
    binary: { atThreshold, atBestF1, curves: curves(y, p) },
  };
}

/** One metric, computed alone (model selection and permutation importance call this many times: no curves, no other metrics); binary accuracy and F1 at `threshold`. */
export function metricOf(metric: MetricName, task: EvalTask, y: ArrayLike<number>, scores: ArrayLike<number>, labels: readonly string[], threshold = 0.5): number {
  if (task === 'binary') {
    const p = new Float64Array(y.length);
    for (let i = 0; i < y.length; i++) p[i] = scores[2 * i + 1]!;
    switch (metric) {
      case 'auc':
        return rocAuc(y, p);
      case 'pr_auc':
        return averagePrecision(y, p);
      case 'log_loss':
        return logLoss(y, p);
      case 'brier':
        return brier(y, p);
      case 'accuracy':
      case 'f1':
        return thresholdMetrics(y, p, threshold)[metric];
      default:
        return NaN;
    }
  }
  if (task === 'multiclass') {
    const m = multiclassMetrics(y, scores, labels);
    const byName: Partial<Record<MetricName, number>> = { accuracy: m.accuracy, macro_f1: m.macroF1, weighted_f1: m.weightedF1, log_loss: m.logLoss };
    return byName[metric] ?? NaN;
  }
  const r = regressionMetrics(y, scores);
  const byName: Partial<Record<MetricName, number>> = { ...r };
  return byName[metric] ?? NaN;
}
