import type { EvalTask } from '../evaluate/evaluate.js';
import type { Prediction, PredictionWithFeedback } from '../store/serving.js';
import { estimateFromSteps, estimateMulticlass, realizedQuality, type ArmQuality, type WindowEstimate, type WindowQuality } from './quality.js';
import { armsByWindow, armsCounted, countArms, rangeArms, type ArmCount } from './arms.js';
import type { SegmentView } from './segments.js';
import { columnDrift, DEFAULT_DRIFT, MIN_ROWS, tooFewRows, type ColumnDrift, type DriftOptions } from './drift.js';
import { dataQuality, type DataQuality } from './data-quality.js';
import { multivariateDrift, type MultivariateDrift, type MultivariateOptions } from './multivariate.js';
import type { MonitorReference } from './reference.js';
import { scoreSummary, type ScoreSummary } from './score-summary.js';
import type { Alert } from '../store/alerts.js';
import { addLabel, addNumber, emptyCategorical, emptyNumeric, levelIndex } from './sketch.js';
import { HOUR_MS, mergeWindows, WindowFolder, type WindowAggregate } from './window.js';

/** A window's drift in brief: how many columns drifted, against the reference and against the window before. */
export interface WindowDrift {
  version: number;
  start: string;
  end: string;
  rows: number;
  driftShare: number;
  drifted: string[];
  /** Against the previous window of the same version (null for the first). */
  driftShareVsPrevious: number | null;
  prediction: ColumnDrift;
  /** Each column's drift in this window (what column rules read). */
  columns: ColumnDrift[];
  /** Under DriftOptions.minRows rows: columns and prediction reported as 'too-few-rows', not judged. */
  tooFewRows?: boolean;
  /** Values that broke the training schema (driftReport always gives it; optional for windows built elsewhere). */
  dataQuality?: DataQuality;
  /** The domain classifier on this window's sampled rows, where it was run (monitorWithMultivariate) and had rows enough. */
  multivariate?: MultivariateDrift;
  /** The prediction score's distribution (a classifier's confidence) in this window; null with no score. Optional for windows built elsewhere. */
  score?: ScoreSummary | null;
}

/** What `hyperplane monitor --json` gives. */
export interface MonitorReport {
  model: string;
  version: number;
  since: string;
  windowMs: number;
  /** The reference: its rows, where its predictions come from, and the quality measured at training on held-out rows. */
  reference: { rows: number; predictionSource: MonitorReference['prediction']['source']; metrics: Record<string, number> };
  rows: number;
  windows: WindowDrift[];
  /** Over every window of the range: each column, ranked by effect × importance. */
  columns: (ColumnDrift & { importance: number; rank: number })[];
  driftShare: number;
  /** The prediction's drift: the watched score, and the predicted labels for classifiers. */
  prediction: ColumnDrift[];
  /** The outcomes sent back over the range against the training target (null with no outcome, or no target kept). */
  target: ColumnDrift | null;
  /** Realized quality per window, from the outcomes sent back (per arm within each window where predictions carry one). */
  quality: WindowQuality[];
  /** Split and bandit deployments: realized quality per arm over the range (absent when no prediction carries an arm). */
  arms?: ArmQuality[];
  /** Predictions answered `abstained: true` over the range (a deployment's abstain-below threshold), and their share of the rows; absent when none did. */
  abstained?: { predictions: number; share: number };
  /** Binary classifiers: quality per window estimated before outcomes arrive (CBPE). */
  estimated: WindowEstimate[];
  /** The version's firing alerts, once rules were evaluated (hyperplane monitor --config). */
  alerts: Alert[];
  /** Values that broke the training schema over the range (null: no traffic). */
  dataQuality: DataQuality | null;
  /**
   * The domain classifier over the range: null when the reference kept no sample of rows (a package made
   * before it did); absent when not run (monitor() is synchronous: monitorWithMultivariate runs it).
   */
  multivariate?: MultivariateDrift | null;
  /** Drift and realized quality per level of the columns asked for (runMonitor's `segments`), folded from the raw log. */
  segments?: SegmentView[];
}

export interface MonitorOptions {
  model: string;
  version: number;
  since: number;
  windowMs?: number;
  drift?: DriftOptions;
  labels?: readonly string[];
  task: MonitorTask;
  /** A binary classifier's decision threshold. */
  threshold?: number;
  /** The metrics measured at training on held-out rows, shown beside the live ones. */
  trainingMetrics?: Record<string, number>;
}

/** What a monitored model does. A clustering's clusters have no outcome to measure: its inputs and cluster shares are watched. */
export type MonitorTask = EvalTask | 'anomaly' | 'cluster';

/** Folds the predictions into windows and measures each column's drift, per window and over them all. */
export function monitor(reference: MonitorReference, predictions: readonly (Prediction | PredictionWithFeedback)[], options: MonitorOptions): MonitorReport {
  const folder = new WindowFolder(reference, options.labels, options.windowMs ?? HOUR_MS);
  for (const p of predictions) folder.add(p);
  return reportFromWindows(reference, folder.windows(), labelledOnly(predictions), options, countArms(predictions, options.windowMs ?? HOUR_MS));
}

const labelledOnly = (predictions: readonly (Prediction | PredictionWithFeedback)[]): PredictionWithFeedback[] => predictions.filter((p): p is PredictionWithFeedback => 'feedback' in p && p.feedback !== null);

/**
 * monitor() and the multivariate check (a domain classifier per window and over the range). Asynchronous,
 * as fitting the classifier is; windows with enough sampled rows are tested up to `multivariate.perWindow`.
 */
export async function monitorWithMultivariate(reference: MonitorReference, predictions: readonly (Prediction | PredictionWithFeedback)[], options: MonitorOptions & { multivariate?: MultivariateOptions }): Promise<MonitorReport> {
  const folder = new WindowFolder(reference, options.labels, options.windowMs ?? HOUR_MS);
  for (const p of predictions) folder.add(p);
  const windows = folder.windows();
  const report = reportFromWindows(reference, windows, labelledOnly(predictions), options, countArms(predictions, options.windowMs ?? HOUR_MS));
  return withMultivariate(report, await multivariateDrift(reference, windows, options.multivariate));
}

/** A report (its windows in the order given to multivariateDrift) with the multivariate results in it. */
export function withMultivariate<R extends Pick<MonitorReport, 'windows'>>(report: R, found: Awaited<ReturnType<typeof multivariateDrift>>): R & { multivariate: MultivariateDrift | null } {
  if (found === null) return { ...report, multivariate: null };
  return {
    ...report,
    multivariate: found.range,
    windows: report.windows.map((w, i) => {
      const m = found.windows[i];
      return m === null || m === undefined ? w : { ...w, multivariate: m };
    }),
  };
}

/**
 * The report from folded windows (the store's aggregates, or traffic folded just now) and the predictions
 * that received outcomes: drift, data quality and estimated quality come from the windows alone, realized
 * quality and target drift from the outcomes, counted against the windows' rows, and per arm against
 * `armCounts` (without them an arm's predictions are its labelled ones).
 */
export function reportFromWindows(reference: MonitorReference, windows: readonly WindowAggregate[], labelled: readonly PredictionWithFeedback[], options: MonitorOptions, armCounts?: readonly ArmCount[]): MonitorReport {
  const windowMs = options.windowMs ?? HOUR_MS;
  const drift = options.drift ?? DEFAULT_DRIFT;
  const { windows: windowDrift, columns: ranked, driftShare, prediction, rows, dataQuality: quality } = driftReport(reference, windows, drift);
  const task = options.task === 'cluster' ? undefined : options.task;
  const arms = task === undefined ? undefined : rangeArms(labelled, armCounts, task, options.labels ?? [], options.threshold ?? 0.5);
  const realized = task === undefined ? [] : countedAgainst(realizedQuality(labelled, task, options.labels ?? [], options.threshold ?? 0.5, windowMs), windows, windowMs, armCounts);
  const abstained = realized.reduce((n, q) => n + (q.abstained ?? 0), 0);
  return {
    model: options.model,
    version: options.version,
    since: new Date(options.since).toISOString(),
    windowMs,
    reference: { rows: reference.rows, predictionSource: reference.prediction.source, metrics: options.trainingMetrics ?? {} },
    rows,
    windows: windowDrift,
    columns: ranked,
    driftShare,
    prediction,
    target: targetDrift(reference, labelled, drift),
    quality: realized,
    ...(arms !== undefined ? { arms } : {}),
    ...(abstained > 0 ? { abstained: { predictions: abstained, share: rows === 0 ? 0 : abstained / rows } } : {}),
    estimated: estimates(reference, windows),
    alerts: [],
    dataQuality: quality,
  };
}

/** Realized quality per window, counted against every window's rows (it was given the labelled predictions only): a window with none labelled shows 0%. */
function countedAgainst(quality: WindowQuality[], windows: readonly WindowAggregate[], windowMs: number, armCounts: readonly ArmCount[] | undefined): WindowQuality[] {
  const measured = new Map(quality.map((q) => [`${q.version}/${q.start}`, q]));
  const armRows = armCounts === undefined ? undefined : armsByWindow(armCounts, windowMs);
  const out = windows.map((w): WindowQuality => {
    const start = new Date(w.start).toISOString();
    const key = `${w.version}/${start}`;
    const q = measured.get(key);
    measured.delete(key);
    const arms = armsCounted(q?.arms, armRows?.get(key));
    const withArms = arms !== undefined ? { arms } : {};
    if (q === undefined) return { version: w.version, start, end: new Date(w.start + windowMs).toISOString(), predictions: w.rows, labelled: 0, labelledShare: 0, labelDelayMs: null, metrics: {}, ...abstentions(w.abstained ?? 0, w.rows, 0), ...withArms };
    const predictions = Math.max(q.labelled, w.rows);
    // The window's abstentions are counted as it was folded; its labelled ones, measured, are a floor (an aggregate from before they were counted).
    const abstained = Math.max(q.abstained ?? 0, w.abstained ?? 0);
    return { ...q, predictions, labelledShare: predictions === 0 ? 0 : q.labelled / predictions, ...abstentions(abstained, predictions, q.measured ?? q.labelled), ...withArms };
  });
  // Outcomes for predictions in no window (none: both come from the same range) are kept as measured.
  return [...out, ...measured.values()].sort((a, b) => a.start.localeCompare(b.start) || a.version - b.version);
}

/** A window's abstention fields, only where some answer abstained: monitoring without a threshold reads as before. */
function abstentions(abstained: number, predictions: number, measured: number): Pick<WindowQuality, 'abstained' | 'abstainedShare' | 'measured'> {
  return abstained > 0 ? { abstained, abstainedShare: predictions === 0 ? 0 : abstained / predictions, measured } : {};
}

/** CBPE per window, from each window's rows per calibration step (classifiers with calibrations: binary, or multiclass). */
function estimates(reference: MonitorReference, windows: readonly WindowAggregate[]): WindowEstimate[] {
  const { calibration, confidence, classes } = reference.prediction;
  return windows.flatMap((w) => {
    const e =
      calibration !== undefined && w.steps !== undefined
        ? estimateFromSteps(calibration, w.steps)
        : confidence !== undefined && classes !== undefined && w.multiclass !== undefined
          ? estimateMulticlass(confidence, classes, w.multiclass)
          : undefined;
    return e === undefined ? [] : [{ version: w.version, start: new Date(w.start).toISOString(), end: new Date(w.end).toISOString(), ...e }];
  });
}

function share(columns: readonly ColumnDrift[]): number {
  return columns.length === 0 ? 0 : columns.filter((c) => c.drifted).length / columns.length;
}

const finite = (v: number): number => (Number.isFinite(v) ? v : 1e9);

/** The outcomes sent back, folded on the training target's bins, against it. */
function targetDrift(reference: MonitorReference, predictions: readonly PredictionWithFeedback[], drift: DriftOptions): ColumnDrift | null {
  const target = reference.target;
  if (target === undefined) return null;
  const outcomes = predictions.flatMap((p) => (p.feedback !== null && p.feedback.outcome !== null ? [p.feedback.outcome] : []));
  if (outcomes.length === 0) return null;
  if (target.kind === 'numeric') {
    const window = emptyNumeric(target.edges);
    for (const o of outcomes) addNumber(window, typeof o === 'number' ? o : Number(o));
    return columnDrift('target', target, window, drift);
  }
  const window = emptyCategorical(target.levels);
  const index = levelIndex(window);
  const known = new Set(target.otherLevels ?? []);
  for (const o of outcomes) addLabel(window, index, typeof o === 'string' ? o : JSON.stringify(o), known);
  return columnDrift('target', target, window, drift);
}

/**
 * The drift part of a report from folded windows (they may come from the store's aggregates): each window
 * against the reference and the window before it, and the whole range — the windows merged — column by
 * column, ranked drifted first, then by effect × importance. A window under `drift.minRows` rows is reported
 * but not judged (nor compared with the one before, nor used as the next one's "before"); the range always is.
 */
export function driftReport(reference: MonitorReference, windows: readonly WindowAggregate[], drift: DriftOptions = DEFAULT_DRIFT): Pick<MonitorReport, 'windows' | 'columns' | 'driftShare' | 'prediction' | 'rows' | 'dataQuality'> {
  const names = Object.keys(reference.columns);
  const driftOf = (w: WindowAggregate): ColumnDrift[] => names.map((name) => columnDrift(name, reference.columns[name]!, w.columns[name]!, drift));
  const minRows = drift.minRows ?? MIN_ROWS;
  const previous = new Map<number, WindowAggregate>();
  const windowDrift = windows.map((w): WindowDrift => {
    const common = { version: w.version, start: new Date(w.start).toISOString(), end: new Date(w.end).toISOString(), rows: w.rows, dataQuality: dataQuality(reference, w), score: scoreSummary(w.prediction.score) };
    if (w.rows < minRows) {
      const columns = names.map((name) => tooFewRows(name, reference.columns[name]!, w.columns[name]!));
      return { ...common, driftShare: 0, drifted: [], driftShareVsPrevious: null, prediction: tooFewRows('prediction', reference.prediction.score, w.prediction.score), columns, tooFewRows: true };
    }
    const columns = driftOf(w);
    const before = previous.get(w.version);
    previous.set(w.version, w);
    // Against the window before: its sketch stands as the reference (same bins, so the tests apply as they are).
    const vsPrevious = before === undefined ? null : share(names.map((name) => columnDrift(name, before.columns[name]!, w.columns[name]!, drift)));
    return { ...common, driftShare: share(columns), drifted: columns.filter((c) => c.drifted).map((c) => c.column), driftShareVsPrevious: vsPrevious, prediction: columnDrift('prediction', reference.prediction.score, w.prediction.score, drift), score: scoreSummary(w.prediction.score), columns };
  });
  const all = mergeWindows(windows);
  const overall = all === undefined ? [] : driftOf(all);
  const importance = reference.importance ?? {};
  const weight = (name: string): number => importance[name] ?? 1 / Math.max(1, names.length);
  const ranked = overall
    .map((c) => ({ ...c, importance: weight(c.column), rank: 0 }))
    .sort((a, b) => Number(b.drifted) - Number(a.drifted) || finite(b.effect) * b.importance - finite(a.effect) * a.importance);
  ranked.forEach((c, i) => (c.rank = i + 1));
  const prediction: ColumnDrift[] = [];
  if (all !== undefined) {
    prediction.push(columnDrift('prediction score', reference.prediction.score, all.prediction.score, drift));
    if (reference.prediction.labels !== undefined && all.prediction.labels !== undefined) prediction.push(columnDrift('predicted label', reference.prediction.labels, all.prediction.labels, drift));
  }
  return { windows: windowDrift, columns: ranked, driftShare: share(overall), prediction, rows: all?.rows ?? 0, dataQuality: all === undefined ? null : dataQuality(reference, all) };
}
