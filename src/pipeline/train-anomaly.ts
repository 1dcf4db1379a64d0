import { findColumn } from '../data/profile/target.js';
import { selectRows, type Table } from '../data/table.js';
import { HyperplaneError } from '../errors.js';
import { contaminationThreshold, evaluateAnomaly, labelledAuc, labelledThreshold, type AnomalyEvaluation } from '../evaluate/anomaly.js';
import { holdout, kFolds } from '../evaluate/splits.js';
import { fitTrainingRecipe, type Recipe } from '../features/recipe.js';
import type { Matrix, Model } from '../learn/contract.js';
import { LEARNERS, checkParams, fit, predict } from '../learn/registry.js';
import { buildReference } from '../monitor/reference.js';
import type { ModelPackage } from './package.js';
import { Pipeline, type TargetSpec } from './pipeline.js';
import type { Data, TrainProgress } from './train.js';

/** Folds of the training rows' out-of-fold scores (the threshold's, auto's ranking's). */
const FOLDS = 3;

/** The rows of X that `keep` selects, in order. */
function takeRows(X: Matrix, keep: (i: number) => boolean): Matrix {
  const rows: number[] = [];
  for (let i = 0; i < X.n; i++) if (keep(i)) rows.push(i);
  const data = new Float64Array(rows.length * X.d);
  rows.forEach((r, k) => data.set(X.data.subarray(r * X.d, (r + 1) * X.d), k * X.d));
  return { data, n: rows.length, d: X.d };
}

/** The share of rows flagged when no labels set the threshold. */
export const DEFAULT_CONTAMINATION = 0.01;

export interface AnomalyTrainOptions {
  /**
   * A column marking known anomalies (two values; the rarer marks an anomaly): never a feature. Its labels
   * choose the threshold (the best F1 of the flags on the training rows), rank auto's learners and measure
   * the model on the test rows. The models learn from the inputs alone.
   */
  label?: string;
  /** 'auto', or an anomaly learner's name. */
  learner: string;
  params?: Record<string, unknown>;
  /** The share of rows expected to be anomalies: the threshold flags that share of the training rows. Default: from the labels, else 1%. */
  contamination?: number;
  evaluation: { kind: 'holdout'; share: number } | { kind: 'test'; table: Table; source: string };
  seed: number;
  onProgress?: (event: TrainProgress) => void;
}

export interface AnomalyTrainResult {
  package: ModelPackage;
  pipeline: Pipeline;
  /** The threshold and how it was set. */
  threshold: { value: number; how: string };
  test: AnomalyEvaluation;
  /** The training rows, each scored by a model fitted without it (3 folds; in sample below 6 rows). */
  train: AnomalyEvaluation;
  /** auto with labels: each learner's ROC AUC on the labelled training rows, best first. */
  leaderboard: { learner: string; auc: number; seconds: number }[];
  warnings: string[];
}

/** The learners that score anomalies, in auto's order (isolation forest first: it needs no scaling and handles missing values). */
export function anomalyLearners(): string[] {
  return [...LEARNERS.values()].filter((l) => l.capabilities.tasks.includes('anomaly')).sort((a, b) => (a.auto?.rank ?? 99) - (b.auto?.rank ?? 99)).map((l) => l.name);
}

/** A labelled column as 1 (anomaly), 0 (normal) or NaN (unlabelled): it must hold two values, and the rarer one marks anomalies. */
export function anomalyLabels(table: Table, name: string, source: string, positive?: string): { y: Float64Array; positive: string } {
  const column = findColumn(table, name, source);
  const n = table.nRows;
  let values: (string | null)[];
  if (column.kind === 'categorical') values = Array.from(column.codes, (c) => (c >= 0 ? column.dictionary[c]! : null));
  else if (column.kind === 'numeric') values = Array.from(column.values, (v) => (v === v ? String(v) : null));
  else throw new HyperplaneError(`cannot mark anomalies: it holds ${column.kind} values; expected two labels (normal and anomaly)`, { file: source, column: name });
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  if (counts.size !== 2) throw new HyperplaneError(`marks anomalies with ${counts.size} distinct value${counts.size === 1 ? '' : 's'}${counts.size > 0 ? ` (${[...counts.keys()].slice(0, 5).join(', ')}${counts.size > 5 ? ', …' : ''})` : ''}; expected two: normal and anomaly`, { file: source, column: name });
  // The rarer value marks anomalies (the first in the column's order on a tie), unless the model already knows which.
  const [a, b] = [...counts.entries()];
  const chosen = positive ?? (b![1] < a![1] ? b![0] : a![0]);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = values[i] === null ? NaN : values[i] === chosen ? 1 : 0;
  return { y, positive: chosen };
}

/**
 * Trains an anomaly model: splits off test rows, fits the learner's recipe and model on the training rows'
 * inputs, sets the threshold (a contamination share of the training rows' scores, or the labels' best F1), and
 * measures it on the test rows: the share flagged and, with labels, ROC AUC and the flags' precision and recall.
 */
export async function trainAnomalyPipeline(data: Data, options: AnomalyTrainOptions): Promise<AnomalyTrainResult> {
  const warnings: string[] = [];
  const { table: all, schema, source } = data;
  const contamination = options.contamination;
  if (contamination !== undefined && !(contamination > 0 && contamination < 0.5)) throw new HyperplaneError(`--contamination ${contamination}: expected the share of rows that are anomalies, above 0 and below 0.5`);
  const labelled = options.label === undefined ? undefined : anomalyLabels(all, options.label, source);
  // The split: a held-out share (stratified by the labels, when there are some), or the test file.
  let trainTable: Table;
  let testTable: Table;
  let yTrain: Float64Array | undefined;
  let yTest: Float64Array | undefined;
  if (options.evaluation.kind === 'holdout') {
    const strata = labelled === undefined ? new Float64Array(all.nRows) : Float64Array.from(labelled.y, (v) => (v === v ? v : 2));
    const split = holdout(strata, options.evaluation.share, options.seed, labelled !== undefined);
    trainTable = selectRows(all, split.train);
    testTable = selectRows(all, split.test);
    if (labelled !== undefined) {
      yTrain = Float64Array.from(split.train, (i) => labelled.y[i]!);
      yTest = Float64Array.from(split.test, (i) => labelled.y[i]!);
    }
  } else {
    trainTable = all;
    testTable = options.evaluation.table;
    yTrain = labelled?.y;
    if (labelled !== undefined && testTable.columns.some((c) => c.name === options.label)) yTest = anomalyLabels(testTable, options.label!, options.evaluation.source, labelled.positive).y;
  }
  const canRank = yTrain !== undefined && both(yTrain);

  const recipes = new Map<string, { recipe: Recipe; X: Matrix }>();
  const recipeFor = (learner: string): { recipe: Recipe; X: Matrix } => {
    const family = LEARNERS.get(learner)!.capabilities.missingValues === 'reject' ? 'linear' : 'tree';
    let r = recipes.get(family);
    if (r === undefined) recipes.set(family, (r = fitTrainingRecipe(trainTable, schema, { family, ...(options.label !== undefined ? { exclude: [options.label] } : {}) })));
    if (r.X.d === 0) throw new HyperplaneError(`no column ${learner} can read: every input is text, an id or constant (an anomaly model reads numbers, categories and dates)`, { file: source });
    return r;
  };
  // Each training row scored by a model fitted without it (3 folds, stratified by the labels): a model's own
  // rows score as more usual than new ones (a one-class SVM's support vectors most), so a threshold or a ranking
  // taken on in-sample scores would flag more of the live rows than it says.
  const folds = trainTable.nRows >= 2 * FOLDS ? kFolds(yTrain === undefined ? new Float64Array(trainTable.nRows) : Float64Array.from(yTrain, (v) => (v === v ? v : 2)), FOLDS, options.seed, yTrain !== undefined) : undefined;
  const fitOne = async (learner: string, params: Record<string, unknown>): Promise<{ recipe: Recipe; model: Model; scores: Float64Array; seconds: number }> => {
    const started = performance.now();
    const { recipe, X } = recipeFor(learner);
    const model = await fit(learner, X, new Float64Array(X.n), 'anomaly', params, { seed: options.seed });
    let scores: Float64Array;
    if (folds === undefined) scores = predict(model, X);
    else {
      scores = new Float64Array(X.n);
      for (let f = 0; f < FOLDS; f++) {
        const inFold = (i: number): boolean => folds[i] === f;
        const rest = takeRows(X, (i) => !inFold(i));
        const fitted = await fit(learner, rest, new Float64Array(rest.n), 'anomaly', params, { seed: options.seed });
        const held = Int32Array.from({ length: X.n }, (_, i) => i).filter(inFold);
        const s = predict(fitted, takeRows(X, inFold));
        held.forEach((i, k) => (scores[i] = s[k]!));
      }
    }
    return { recipe, model, scores, seconds: (performance.now() - started) / 1000 };
  };

  // The learner: named, or auto's. Without labels there is nothing to rank them by: auto takes the first.
  const names = anomalyLearners();
  let chosen: { recipe: Recipe; model: Model; scores: Float64Array; seconds: number };
  const leaderboard: AnomalyTrainResult['leaderboard'] = [];
  if (options.learner !== 'auto') {
    const learner = LEARNERS.get(options.learner);
    if (learner === undefined || !learner.capabilities.tasks.includes('anomaly')) throw new HyperplaneError(`--learner ${options.learner}: not an anomaly learner; anomaly learners are auto, ${names.join(', ')}`);
    checkParams(learner, options.params ?? {});
    options.onProgress?.({ step: `fitting ${options.learner}`, done: 0, total: 1 });
    chosen = await fitOne(options.learner, options.params ?? {});
  } else if (!canRank) {
    options.onProgress?.({ step: `fitting ${names[0]!}`, done: 0, total: 1 });
    chosen = await fitOne(names[0]!, {});
    warnings.push(`auto fitted ${names[0]!}: without labelled anomalies (--target) there is nothing to rank the anomaly learners by`);
  } else {
    const fitted: (typeof chosen & { learner: string; auc: number })[] = [];
    for (const [i, learner] of names.entries()) {
      options.onProgress?.({ step: 'auto', done: i, total: names.length, detail: learner, unit: 'learners' });
      const one = await fitOne(learner, {});
      fitted.push({ ...one, learner, auc: labelledAuc(one.scores, yTrain!) });
    }
    fitted.sort((a, b) => b.auc - a.auc);
    for (const f of fitted) leaderboard.push({ learner: f.learner, auc: f.auc, seconds: f.seconds });
    chosen = fitted[0]!;
  }
  const { recipe, model } = chosen;
  for (const w of model.training.warnings) warnings.push(`${model.kind}: ${w}`);

  // The threshold: a contamination given; else the labels' best F1 on the training rows (the model never read them); else 1%.
  let threshold: AnomalyTrainResult['threshold'];
  if (contamination === undefined && canRank) {
    threshold = { value: labelledThreshold(chosen.scores, yTrain!), how: `the best F1 of the flags against '${options.label!}' on the training rows${folds !== undefined ? ', scored out of fold' : ''}` };
  } else {
    const share = contamination ?? DEFAULT_CONTAMINATION;
    threshold = { value: contaminationThreshold(chosen.scores, share), how: `flags ${fmtShare(share)} of the training rows${folds !== undefined ? ', scored out of fold' : ''} (contamination${contamination === undefined ? ', the default' : ''})` };
  }
  const target: TargetSpec = { name: options.label ?? 'anomaly', task: 'anomaly', threshold: threshold.value, ...(labelled !== undefined ? { positive: labelled.positive } : {}) };
  const pipeline = new Pipeline({ target, schema, members: [{ recipe, model, weight: 1 }] });

  options.onProgress?.({ step: 'evaluating', done: 0, total: 1 });
  const testScores = pipeline.scoreTable(testTable, options.evaluation.kind === 'test' ? options.evaluation.source : source);
  const test = evaluateAnomaly(testScores, threshold.value, yTest);
  const train = evaluateAnomaly(chosen.scores, threshold.value, yTrain);
  if (yTest === undefined && options.label !== undefined) warnings.push(`the test rows have no '${options.label}' column: only the share flagged is measured`);
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(test.metrics)) if (v !== undefined) metrics[k] = v;
  const evaluation = options.evaluation.kind === 'holdout' ? `holdout ${Math.round(options.evaluation.share * 100)}% (${testTable.nRows.toLocaleString('en-US')} rows${yTest !== undefined ? ', stratified by the labels' : ''})` : `test data ${options.evaluation.source} (${testTable.nRows.toLocaleString('en-US')} rows)`;
  const pkg: ModelPackage = {
    pipeline: {
      ...pipeline.spec,
      // Live traffic is watched against the training rows' inputs, and the scores and flags of rows the model was not fitted on.
      monitor: buildReference(trainTable, pipeline.inputColumns, { scores: testScores, rows: testScores.length, source: 'held-out', predicted: pipeline.label(testScores).map(String) }, undefined, undefined, options.seed),
    },
    info: {
      createdAt: new Date().toISOString(),
      learner: model.kind,
      params: model.params,
      seed: options.seed,
      fingerprint: data.fingerprint,
      source,
      trainRows: trainTable.nRows,
      metrics,
      evaluation,
      fit: { refit: false, evaluatedRows: trainTable.nRows, why: 'an anomaly model is packaged as evaluated, its threshold set on these rows' },
      ...(leaderboard.length > 0 ? { leaderboard: leaderboard.map((e) => ({ learner: e.learner, params: {}, score: e.auc, seconds: e.seconds })) } : {}),
    },
  };
  return { package: pkg, pipeline, threshold, test, train, leaderboard, warnings };
}

function both(y: Float64Array): boolean {
  let ones = 0;
  let zeros = 0;
  for (const v of y) {
    if (v === 1) ones++;
    else if (v === 0) zeros++;
  }
  return ones > 0 && zeros > 0;
}

const fmtShare = (share: number): string => `${Number((share * 100).toPrecision(3))}%`;
