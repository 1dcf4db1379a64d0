import { averagePrecision, chooseThreshold, rocAuc, thresholdMetrics } from './metrics.js';

/** How an anomaly model did on rows: what it flagged, and against labels where rows have them. */
export interface AnomalyEvaluation {
  rows: number;
  /** Rows at or above the threshold. */
  flagged: number;
  metrics: {
    flagged_share: number;
    /** Against the rows' labels (1: an anomaly), when there are both kinds among them. */
    auc?: number;
    average_precision?: number;
    /** Of the flagged rows, the share that are anomalies. */
    precision?: number;
    /** Of the anomalies, the share flagged. */
    recall?: number;
    f1?: number;
  };
  /** Labelled rows, and the anomalies among them. */
  labelled?: { rows: number; anomalies: number };
}

/**
 * Scores against a threshold (flagged at or above it) and, where `y` is given (1: an anomaly, 0: normal, NaN:
 * unlabelled), against the labels: ROC AUC and average precision of the scores, precision and recall of the flags.
 */
export function evaluateAnomaly(scores: Float64Array, threshold: number, y?: ArrayLike<number>): AnomalyEvaluation {
  let flagged = 0;
  for (const s of scores) if (s >= threshold) flagged++;
  const out: AnomalyEvaluation = { rows: scores.length, flagged, metrics: { flagged_share: scores.length === 0 ? 0 : flagged / scores.length } };
  if (y === undefined) return out;
  const { scores: labelledScores, labels } = labelledRows(scores, y);
  const anomalies = labels.filter((v) => v === 1).length;
  out.labelled = { rows: labels.length, anomalies };
  if (anomalies === 0 || anomalies === labels.length) return out;
  const t = thresholdMetrics(labels, labelledScores, threshold);
  out.metrics = { ...out.metrics, auc: rocAuc(labels, labelledScores), average_precision: averagePrecision(labels, labelledScores), precision: t.precision, recall: t.recall, f1: t.f1 };
  return out;
}

/** The score at or above which about `contamination` of the rows lie: the (1 − contamination) quantile of the scores. */
export function contaminationThreshold(scores: ArrayLike<number>, contamination: number): number {
  const sorted = Float64Array.from(scores).sort();
  const n = sorted.length;
  const flagged = Math.max(1, Math.round(contamination * n));
  return sorted[Math.max(0, n - flagged)]!;
}

/** The threshold with the best F1 of the flags against the labels (1: an anomaly; NaN rows left out). */
export function labelledThreshold(scores: ArrayLike<number>, y: ArrayLike<number>): number {
  const { scores: s, labels } = labelledRows(scores, y);
  return chooseThreshold(labels, s, { kind: 'max-f1' });
}

/** ROC AUC of the scores against the labels (1: an anomaly; NaN rows left out). */
export function labelledAuc(scores: ArrayLike<number>, y: ArrayLike<number>): number {
  const { scores: s, labels } = labelledRows(scores, y);
  return rocAuc(labels, s);
}

/** The rows with a label (y not NaN): their scores and labels, in order. */
function labelledRows(scores: ArrayLike<number>, y: ArrayLike<number>): { scores: number[]; labels: number[] } {
  const kept: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== y[i]) continue;
    kept.push(scores[i]!);
    labels.push(y[i]!);
  }
  return { scores: kept, labels };
}
