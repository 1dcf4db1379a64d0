import { calibrationError } from '../evaluate/curves.js';
import { evaluateAnomaly } from '../evaluate/anomaly.js';
import { evaluateScores, type EvalTask } from '../evaluate/evaluate.js';

/**
 * The tasks whose answers outcomes measure: a classifier's and a regression's, and an anomaly model's flags
 * (outcomes 'anomaly' or 'normal': ROC AUC of the scores, precision and recall of the flags).
 */
export type QualityTask = EvalTask | 'anomaly';
import type { Prediction, PredictionWithFeedback } from '../store/serving.js';
import type { Calibration } from './calibration.js';

/**
 * Quality per window: realized, from the outcomes sent back as feedback (the task's metrics on the
 * labelled predictions, the share labelled and the label delay), and for binary classifiers estimated
 * before any label arrives by confidence-based performance estimation (CBPE, as NannyML does): each
 * row's probability, calibrated on held-out rows at training, is the chance its answer is right.
 */
export interface WindowQuality {
  version: number;
  start: string;
  end: string;
  predictions: number;
  labelled: number;
  labelledShare: number;
  /** From each prediction to its outcome's feedback, in ms. */
  labelDelayMs: { median: number; p90: number } | null;
  /** The task's metrics on the labelled predictions (auc, accuracy, log_loss… or rmse, mae, r2); answers marked abstained are left out. */
  metrics: Record<string, number>;
  /** Predictions answered `abstained: true` (a deployment's abstain-below threshold): absent while none did. */
  abstained?: number;
  /** abstained / predictions. */
  abstainedShare?: number;
  /** Where some labelled predictions abstained: the labelled answers the metrics are measured on (labelled less those). */
  measured?: number;
  /** Split and bandit deployments: the same per arm that answered, where predictions carry one. */
  arms?: ArmQuality[];
}

/** Realized quality of one deployment arm ('credit/2', 'shadow'). */
export interface ArmQuality {
  arm: string;
  predictions: number;
  labelled: number;
  labelledShare: number;
  metrics: Record<string, number>;
}

export interface WindowEstimate {
  version: number;
  start: string;
  end: string;
  rows: number;
  /** Expected accuracy and AUC of the answers given, from calibrated probabilities. */
  accuracy: number;
  auc: number | null;
}

interface Group<T> {
  version: number;
  start: number;
  rows: T[];
}

function byWindow<T extends Prediction>(predictions: Iterable<T>, windowMs: number): Group<T>[] {
  const groups = new Map<string, Group<T>>();
  for (const p of predictions) {
    const start = Math.floor(p.timestamp / windowMs) * windowMs;
    const key = `${p.version}/${start}`;
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { version: p.version, start, rows: [] }));
    g.rows.push(p);
  }
  return [...groups.values()].sort((a, b) => a.start - b.start || a.version - b.version);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The probabilities an answer gave, in the labels' order (NaN where absent). */
function probabilities(p: Prediction, labels: readonly string[]): number[] {
  const r = isRecord(p.response) ? p.response['probabilities'] : undefined;
  return labels.map((l) => (isRecord(r) && typeof r[l] === 'number' ? r[l] : NaN));
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** The task's metrics on a set of predictions, from those with a usable outcome. */
export interface Measured {
  labelled: number;
  /** Of the labelled ones, those answered `abstained: true`: counted as labelled, left out of the metrics (the quality of the answers given). Absent when none. */
  abstained?: number;
  labelDelayMs: { median: number; p90: number } | null;
  metrics: Record<string, number>;
}

/** Whether a logged answer was marked abstained (a deployment's abstain-below threshold). */
export const abstainedAnswer = (p: Prediction): boolean => isRecord(p.response) && p.response['abstained'] === true;

/** Realized quality of a set of predictions: the metrics on those whose outcome came back (answers marked abstained left out), and the label delay. */
export function measure(rows: Iterable<PredictionWithFeedback>, task: QualityTask, labels: readonly string[], threshold: number): Measured {
  const y: number[] = [];
  const scores: number[] = [];
  const delays: number[] = [];
  let abstained = 0;
  for (const p of rows) {
    const outcome = p.feedback?.outcome;
    if (outcome === undefined || outcome === null) continue;
    if (abstainedAnswer(p)) {
      abstained++;
      delays.push(p.feedback!.timestamp - p.timestamp);
      continue;
    }
    if (task === 'anomaly') {
      const score = isRecord(p.response) ? p.response['score'] : undefined;
      const flag = String(outcome);
      if (typeof score !== 'number' || (flag !== 'anomaly' && flag !== 'normal')) continue;
      y.push(flag === 'anomaly' ? 1 : 0);
      scores.push(score);
    } else if (task === 'regression') {
      const v = typeof outcome === 'number' ? outcome : Number(outcome);
      const predicted = isRecord(p.response) ? Number(p.response['prediction']) : NaN;
      if (!Number.isFinite(v) || !Number.isFinite(predicted)) continue;
      y.push(v);
      scores.push(predicted);
    } else {
      const code = labels.indexOf(String(outcome));
      const proba = probabilities(p, labels);
      if (code < 0 || proba.some((v) => !Number.isFinite(v))) continue;
      y.push(code);
      scores.push(...proba);
    }
    delays.push(p.feedback!.timestamp - p.timestamp);
  }
  delays.sort((a, b) => a - b);
  const metrics: Record<string, number> = {};
  if (task === 'anomaly') {
    if (y.length > 0) for (const [k, v] of Object.entries(evaluateAnomaly(Float64Array.from(scores), threshold, y).metrics)) if (typeof v === 'number' && Number.isFinite(v)) metrics[k] = v;
  } else if (y.length > 0) {
    const evaluation = evaluateScores(task, y, Float64Array.from(scores), labels, threshold);
    for (const [k, v] of Object.entries(evaluation.metrics)) if (typeof v === 'number' && Number.isFinite(v)) metrics[k] = v;
    if (task === 'binary') metrics['calibration_error'] = calibrationError(y, Float64Array.from({ length: y.length }, (_, i) => scores[2 * i + 1]!));
  }
  return { labelled: y.length + abstained, ...(abstained > 0 ? { abstained } : {}), labelDelayMs: delays.length === 0 ? null : { median: percentile(delays, 0.5), p90: percentile(delays, 0.9) }, metrics };
}

/**
 * Realized quality per arm of the predictions that carry one, arms in order; `predictions` counts the rows
 * given (callers given only the labelled ones count against the log: see countedAgainst in monitor.ts).
 */
export function armQuality(predictions: Iterable<PredictionWithFeedback>, task: QualityTask, labels: readonly string[], threshold: number): ArmQuality[] {
  const byArm = new Map<string, PredictionWithFeedback[]>();
  for (const p of predictions) {
    if (p.arm === null || p.arm === undefined) continue;
    const rows = byArm.get(p.arm);
    if (rows === undefined) byArm.set(p.arm, [p]);
    else rows.push(p);
  }
  return [...byArm.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([arm, rows]) => {
      const { labelled, metrics } = measure(rows, task, labels, threshold);
      return { arm, predictions: rows.length, labelled, labelledShare: labelled / rows.length, metrics };
    });
}

/** Realized quality per window from the predictions that received an outcome, and per arm within each window where predictions carry one. */
export function realizedQuality(predictions: Iterable<PredictionWithFeedback>, task: QualityTask, labels: readonly string[], threshold: number, windowMs: number): WindowQuality[] {
  return byWindow(predictions, windowMs).map((g) => {
    const { labelled, abstained, labelDelayMs, metrics } = measure(g.rows, task, labels, threshold);
    const arms = armQuality(g.rows, task, labels, threshold);
    // Every abstention among the rows given (callers given only the labelled ones count the rest against the log: see countedAgainst in monitor.ts).
    let given = 0;
    for (const p of g.rows) if (abstainedAnswer(p)) given++;
    return {
      version: g.version,
      start: new Date(g.start).toISOString(),
      end: new Date(g.start + windowMs).toISOString(),
      predictions: g.rows.length,
      labelled,
      labelledShare: labelled / g.rows.length,
      labelDelayMs,
      metrics,
      ...(given > 0 ? { abstained: given, abstainedShare: given / g.rows.length, measured: labelled - (abstained ?? 0) } : {}),
      ...(arms.length > 0 ? { arms } : {}),
    };
  });
}


/**
 * CBPE from a window's rows per calibration step and class answered (WindowAggregate.steps): exactly what
 * CBPE row by row gives on the same rows. A step's rows share one calibrated probability c, so a pair
 * of them adds c(1 − c) to the expected AUC whatever their order, and steps are ordered as their scores.
 */
export function estimateFromSteps(calibration: Calibration, steps: { positive: readonly number[]; negative: readonly number[] }): { rows: number; accuracy: number; auc: number | null } | undefined {
  let rows = 0;
  let right = 0;
  let negativesBelow = 0;
  let above = 0;
  let allPositive = 0;
  let allNegative = 0;
  let self = 0;
  for (let s = 0; s < calibration.rate.length; s++) {
    const c = calibration.rate[s]!;
    const answeredPositive = steps.positive[s] ?? 0;
    const n = answeredPositive + (steps.negative[s] ?? 0);
    if (n === 0) continue;
    rows += n;
    right += answeredPositive * c + (n - answeredPositive) * (1 - c);
    const groupPositive = n * c;
    const groupNegative = n * (1 - c);
    const groupSelf = n * c * (1 - c);
    above += groupPositive * negativesBelow + 0.5 * (groupPositive * groupNegative - groupSelf);
    negativesBelow += groupNegative;
    allPositive += groupPositive;
    allNegative += groupNegative;
    self += groupSelf;
  }
  if (rows === 0) return undefined;
  const pairs = allPositive * allNegative - self;
  return { rows, accuracy: right / rows, auc: pairs > 0 ? above / pairs : null };
}

/**
 * CBPE for a multiclass classifier from a window's rows per step of the confidence calibration (the top
 * probability as the chance the answer is right) and per step of each class's one-vs-rest calibration:
 * expected accuracy, and the expected macro AUC (each class's expected one-vs-rest AUC, averaged).
 */
export function estimateMulticlass(confidence: Calibration, classes: readonly Calibration[], steps: { confidence: readonly number[]; classes: readonly (readonly number[])[] }): { rows: number; accuracy: number; auc: number | null } | undefined {
  // Expected accuracy: the calibrated chance of being right, whatever the class answered.
  const overall = estimateFromSteps(confidence, { positive: steps.confidence, negative: [] });
  if (overall === undefined) return undefined;
  const aucs = classes.map((c, k) => estimateFromSteps(c, { positive: steps.classes[k] ?? [], negative: [] })?.auc ?? null).filter((a): a is number => a !== null);
  return { rows: overall.rows, accuracy: overall.accuracy, auc: aucs.length === classes.length && aucs.length > 0 ? aucs.reduce((s, a) => s + a, 0) / aucs.length : null };
}
