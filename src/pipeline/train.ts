import type { ColumnSchema } from '../data/schema/schema.js';
import type { InfiniteValues } from '../data/schema/schema-file.js';
import { selectRows, type Table } from '../data/table.js';
import { HyperplaneError } from '../errors.js';
import { diagnose, type Diagnostic } from '../evaluate/diagnostics.js';
import { chooseThreshold, type ThresholdRule } from '../evaluate/metrics.js';
import { globalImportance, type GlobalImportance } from '../explain/global.js';
import { backgroundRows } from '../explain/background.js';
import { buildReference, importanceShares } from '../monitor/reference.js';
import { checkMetric, DEFAULT_METRIC, evaluateScores, metricOf, type Evaluation, type MetricName } from '../evaluate/evaluate.js';
import { groupFolds } from '../evaluate/splits.js';
import { getLearner } from '../learn/registry.js';
import { autoSelect, candidatesFor, isReference, referenceFor, type AutoObjective, type Candidate, type LeaderboardEntry } from '../search/index.js';
import type { ModelPackage } from './package.js';
import { Pipeline, type Member, type SupervisedTarget, type SupervisedTask } from './pipeline.js';
import type { PhaseTimer } from './timings.js';
import { covariateShift } from './shift.js';
import { worstSlices } from '../evaluate/slices.js';
import { encodeTarget } from './target.js';
import { checkExtremes, textLeftOut } from './data-warnings.js';
import { refitPipeline, refitPlan, type FitInfo } from './refit.js';
import { pick, upsampleRows } from './rows.js';
import { suspectRows, type SuspectLabel } from './suspect-rows.js';
import { fitMember, outOfFold, searchObjective } from './out-of-fold.js';
import { candidateThreadCount, candidateThreads } from './candidate-threads.js';
import { groupColumn, groupCount, pickCodes, splitRows, type SplitRows } from './split.js';

/**
 * How the final model's quality is measured. With a `group` column, rows of one group (a customer) are
 * never on both sides of a holdout or a fold, and the column is left out of the features.
 */
export type EvaluationPlan =
  | { kind: 'holdout'; share: number; group?: string }
  | { kind: 'test'; table: Table; source: string; infinite?: InfiniteValues[] }
  | { kind: 'cv'; folds: number; group?: string }
  | { kind: 'time'; column: string; cutoff: number };

/** A fitted member as the candidate that fits it again (out-of-fold scores, a refit). */
const memberCandidate = (m: Member): Candidate & { weight: number } => ({ learner: m.model.kind, params: m.model.params as Record<string, unknown>, weight: m.weight });

export interface TrainOptions {
  target: string;
  task?: SupervisedTask;
  /** 'auto', or a learner's name. */
  learner: string;
  /** Parameters for a named learner (ignored by auto). */
  params?: Record<string, unknown>;
  metric?: string;
  evaluation: EvaluationPlan;
  classWeight?: 'balanced';
  seed: number;
  /** auto: seconds for the whole search (the final fit included). */
  timeBudgetSeconds: number;
  /** auto: after the portfolio, ASHA over this many configurations of the leading learner's declared space, within the budget (default 0: none). */
  refineTrials?: number;
  /** auto: 'simple' picks the simplest candidate within the folds' noise of the best, and says what that gave up and gained (default 'best'). */
  prefer?: 'best' | 'simple';
  /** auto: scores candidates elsewhere (a queue's workers), `concurrency` at a time, instead of one after another here. */
  remote?: RemoteScoring;
  /** auto without `remote`: candidates scored at once on worker threads (default: the cores, up to 4, for up to THREADED_ROWS training rows; else 1). */
  threads?: number;
  onProgress?: (event: TrainProgress) => void;
  /** Laps each phase of the training (`train --timings`). */
  timings?: PhaseTimer;
  /** Stops fitting (auto: the candidate in flight) when it fires. */
  signal?: AbortSignal;
  /** auto: when step-by-step learners (boosting) stop and keep what they have (performance.now() ms). */
  deadline?: number;
  /** The team's own candidates, written rather than learned (rules from the config): auto scores them beside the learners, right after the references. */
  teamCandidates?: Candidate[];
  /** Binary: the rule that picks the decision threshold, on out-of-fold scores of the training rows. */
  threshold?: ThresholdRule;
  /** Classification: repeat rows of the rarer classes (drawn at random) until every class is as frequent as the most frequent, in the training rows only. */
  upsample?: boolean;
  /** An explicit recipe for every learner (one-hot or codes still follow each learner's family). */
  recipe?: { outputs: string[]; groups?: Record<string, string[]> };
  /**
   * After evaluating on a holdout or time split, fit the chosen pipeline again on every labelled row
   * (the test rows too) and package that. Default: yes up to REFIT_ROWS labelled rows; false keeps the
   * evaluated model at any size.
   */
  refit?: boolean;
}

/** Scores auto's candidates somewhere else (a queue's workers): what scoring them here would give, `concurrency` at a time. */
export interface RemoteScoring {
  concurrency: number;
  score: AutoObjective<Member>['score'];
}

export interface TrainProgress {
  step: string;
  done: number;
  total: number;
  /** What within the step is in flight (auto: the candidate's learner). */
  detail?: string;
  /** What `done` counts ('candidates', 'folds'). */
  unit?: string;
}

export type { LeaderboardEntry } from '../search/index.js';

export type { FitInfo } from './refit.js';
export { REFIT_ROWS } from './refit.js';

export interface TrainResult {
  package: ModelPackage;
  /** The packaged (served) pipeline: refit on every labelled row when `fit.refit`. */
  pipeline: Pipeline;
  fit: FitInfo;
  metric: MetricName;
  test: Evaluation;
  trainEvaluation: Evaluation;
  leaderboard: LeaderboardEntry[];
  /** auto with prefer 'simple': what was chosen instead of the best, what that gave up and what it gained. */
  preference?: string;
  /**
   * Classification, from out-of-fold scores (auto's search, or `--cv`): the training rows whose label the model most
   * confidently contradicts (confident learning), most confident first, at most SUSPECTS_LISTED.
   */
  suspects?: SuspectLabel[];
  /** auto: how candidates were scored ("3-fold cross-validation on the training rows", …). */
  searchPlan?: string;
  diagnostics: Diagnostic[];
  warnings: string[];
  /** Mean |SHAP| and permutation importance per input column on the test rows (none under cross-validation: no held-out rows). */
  importance?: GlobalImportance;
  /**
   * The evaluated pipeline and the test rows it was measured on (none under cross-validation): what a
   * report scores again for figures of its own (a scorecard's score distribution by class).
   */
  heldOut?: { pipeline: Pipeline; table: Table; y: Float64Array };
}

export interface Data {
  table: Table;
  schema: ColumnSchema[];
  source: string;
  fingerprint: string;
  /** ±Infinity values read as missing (loadData counts them). */
  infinite?: InfiniteValues[];
}

/** The rows a training fits on, as `trainPipeline` takes them from the data: the same every time for the same data, options and seed. */
export interface TrainingRows {
  spec: SupervisedTarget;
  split: SplitRows;
  /** The training rows (upsampled when asked), their targets and groups, and each one's index in the data. */
  table: Table;
  y: Float64Array;
  groups?: Int32Array;
  sourceRows: Int32Array;
}

/**
 * Encodes the target, drops rows without one, splits off the test rows and upsamples the training side when asked:
 * the first half of `trainPipeline`, which a queue worker scoring auto's candidates repeats on the same snapshot.
 */
export function trainingRows(data: Data, options: TrainOptions, warnings: string[] = []): TrainingRows {
  const target = encodeTarget(data.table, data.schema, options.target, data.source, options.task);
  const spec = target.spec;
  checkExtremes(data.infinite ?? [], data.source, target.y, spec, warnings);
  const labels = spec.labels ?? [];
  // Rows with a target, then the split (shared with rebuilding an older package's monitoring reference).
  const split = splitRows(data.table, data.schema, target, options.evaluation, options.seed, warnings);
  let { table, y, groups, sourceRows } = split;
  if (spec.task !== 'regression') checkClasses(y, labels, spec.name);
  if (options.upsample === true) {
    if (spec.task === 'regression') throw new HyperplaneError('upsampling is for classification targets', { field: 'upsample' });
    // Only the training side: test rows keep the real class shares.
    const rows = upsampleRows(y, labels.length, options.seed);
    warnings.push(`upsampled the training rows from ${y.length.toLocaleString('en-US')} to ${rows.length.toLocaleString('en-US')}: every class as frequent as the most frequent`);
    table = selectRows(table, rows);
    y = pick(y, rows);
    // A repeated row stays in its group: its copies are never on both sides of a fold.
    if (groups !== undefined) groups = pickCodes(groups, rows);
    sourceRows = pickCodes(sourceRows, rows);
  }
  return { spec, split, table, y, ...(groups !== undefined ? { groups } : {}), sourceRows };
}

/**
 * Trains a pipeline on loaded data: encodes the target (dropping rows without one), splits off the
 * test rows, picks a learner (auto: a small search of each family by cross-validation on the training
 * rows, and a blend of the best two), fits it on all training rows and evaluates it on the test rows.
 */
export async function trainPipeline(data: Data, options: TrainOptions): Promise<TrainResult> {
  const started = performance.now();
  const warnings: string[] = [];
  const rows = trainingRows(data, options, warnings);
  const lap = (phase: string): void => options.timings?.lap(phase);
  lap('target and split');
  const { spec, split, table, y, groups } = rows;
  const metric = checkMetric(options.metric ?? DEFAULT_METRIC[spec.task], spec.task);
  const labels = spec.labels ?? [];
  const { labelled, testTable, yTest, evaluation, cvFolds } = split;
  const plan = options.evaluation;
  // Grouped folds for the out-of-fold scores below (a threshold's, cross-validation's): each group whole in one fold.
  const foldsOf = (k: number): Int32Array | undefined => (groups === undefined ? undefined : groupFolds(groups, k));

  // The learner: named, or chosen by auto.
  const leaderboard: LeaderboardEntry[] = [];
  let members: Member[];
  // What each member is (learner, params as chosen, weight): what a refit fits again.
  let recipes: (Candidate & { weight: number })[];
  let chosen: string;
  let chosenParams: Record<string, unknown>;
  let searchPlan: string | undefined;
  let preference: string | undefined;
  let autoOutOfFold: { scores: Float64Array; rows?: Int32Array } | undefined;
  if (options.learner === 'auto') {
    const local = searchObjective(table, y, data.schema, spec, options);
    // Candidates scored elsewhere (a queue's workers, or this process's threads): fitting the chosen members stays here.
    const threads = options.remote === undefined ? candidateThreads({ table, y, schema: data.schema, spec, options }, candidateThreadCount(table.nRows, options.threads)) : undefined;
    const remote = options.remote ?? threads;
    const objective: AutoObjective<Member> = remote === undefined ? local : { ...local, score: (candidate, plan) => remote.score(candidate, plan) };
    const result = await autoSelect(candidatesFor(spec.task, { rows: table.nRows, features: encodedWidth(table, spec.name), classes: spec.labels?.length ?? 1, budgetSeconds: options.timeBudgetSeconds }, options.teamCandidates), y, objective, { task: spec.task, labels, metric, seed: options.seed, budgetMs: options.timeBudgetSeconds * 1000, started, ...(groups !== undefined ? { groups } : {}), ...(options.refineTrials !== undefined ? { refine: options.refineTrials } : {}), ...(remote !== undefined ? { concurrency: remote.concurrency } : {}), ...(options.prefer !== undefined ? { prefer: options.prefer } : {}), ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}) }, leaderboard).finally(() => threads?.close());
    members = result.members;
    recipes = result.candidates;
    chosen = result.name;
    chosenParams = result.params;
    searchPlan = result.plan;
    preference = result.preference;
    autoOutOfFold = result.outOfFold;
  } else {
    getLearner(options.learner);
    const candidate = { learner: options.learner, params: options.params ?? {} };
    options.onProgress?.({ step: `fitting ${options.learner}`, done: 0, total: 1 });
    members = [await fitMember(table, y, data.schema, spec, candidate, options)];
    recipes = [{ ...candidate, weight: 1 }];
    options.onProgress?.({ step: `fitting ${options.learner}`, done: 1, total: 1 });
    chosen = options.learner;
    chosenParams = candidate.params;
  }
  lap(options.learner === 'auto' ? 'auto: the search and its chosen members' : `fitting ${options.learner}`);
  if (options.threshold !== undefined) {
    if (spec.task !== 'binary') throw new HyperplaneError('a decision threshold is for binary targets', { field: 'threshold' });
    // Out-of-fold scores of the chosen members: a threshold picked on in-sample scores would be optimistic.
    const folds = groups === undefined ? 3 : Math.min(3, groupCount(groups));
    if (folds < 2) throw new HyperplaneError(`a decision threshold is chosen on out-of-fold scores, and the training rows hold a single group of '${groupColumn(plan)}'`, { field: 'threshold' });
    const oof = await outOfFold(table, y, data.schema, spec, members.map(memberCandidate), folds, options, foldsOf(folds));
    const p = new Float64Array(y.length);
    for (let i = 0; i < y.length; i++) p[i] = oof[2 * i + 1]!;
    spec.threshold = chooseThreshold(y, p, options.threshold);
  }
  for (const m of members) warnings.push(...m.model.training.warnings.map((w) => `${m.model.kind}: ${w}`));
  warnings.push(...textLeftOut(members, data.schema, spec.name, options.recipe !== undefined));
  const pipeline = new Pipeline({ target: spec, schema: data.schema, members });
  if (options.threshold !== undefined) lap('decision threshold (out-of-fold fits)');

  options.onProgress?.({ step: 'evaluating', done: 0, total: 1 });
  // Test scores: the test rows, or out-of-fold scores when the evaluation is cross-validation.
  let testScores: Float64Array;
  if (cvFolds !== undefined) {
    testScores = await outOfFold(table, y, data.schema, spec, members.map(memberCandidate), cvFolds, options, foldsOf(cvFolds));
  } else {
    testScores = pipeline.scoreTable(testTable);
  }
  const test = evaluateScores(spec.task, yTest, testScores, labels, spec.threshold ?? 0.5);
  // Cross-validation's scores are the final pipeline's, out of fold on every training row; else auto's search's.
  const suspects = spec.task === 'regression' ? undefined : cvFolds !== undefined ? suspectRows(data, spec, y, testScores, rows.sourceRows) : autoOutOfFold !== undefined ? suspectRows(data, spec, y, autoOutOfFold.scores, rows.sourceRows, autoOutOfFold.rows) : undefined;
  // Training-row metrics (for the overfitting check) on at most 100,000 evenly spread rows.
  const trainSample = table.nRows <= TRAIN_EVAL_ROWS ? undefined : Int32Array.from({ length: TRAIN_EVAL_ROWS }, (_, i) => Math.floor((i * table.nRows) / TRAIN_EVAL_ROWS));
  lap(cvFolds !== undefined ? 'cross-validation (out-of-fold fits)' : 'scoring the test rows');
  const trainEvaluation =
    trainSample === undefined
      ? evaluateScores(spec.task, y, pipeline.scoreTable(table), labels, spec.threshold ?? 0.5)
      : evaluateScores(spec.task, pick(y, trainSample), pipeline.scoreTable(selectRows(table, trainSample)), labels, spec.threshold ?? 0.5);
  // Shift and slices need separate test rows (cross-validation has none).
  // With a group holdout the check keeps groups whole in its folds, and leaves the group column out.
  lap('training-row metrics');
  const shift = cvFolds === undefined ? await covariateShift(table, testTable, data.schema, spec.name, options.seed, groupColumn(plan)).catch(() => undefined) : undefined;
  lap('train/test shift check');
  const slices = cvFolds === undefined ? worstSlices(testTable, data.schema, spec.name, spec.task, metric, yTest, testScores, labels, test.metrics[metric] ?? NaN) : [];
  const diagnostics = diagnose({
    ...(shift !== undefined ? { shift } : {}),
    slices,
    metric,
    train: trainEvaluation,
    test,
    baseline: isReference(chosen) || cvFolds !== undefined ? undefined : await baselineScore(table, y, testTable, yTest, data.schema, spec, metric, options),
    ...(spec.task !== 'regression' ? { classShares: classShares(y, labels), predictedCounts: predictedCounts(pipeline.label(testScores), labels) } : {}),
    converged: members.map((m) => ({ learner: m.model.kind, converged: m.model.training.converged })),
  });
  lap('slices, baseline and diagnostics');
  const importance = cvFolds === undefined && testTable.nRows > 0 ? globalImportance(pipeline, testTable, yTest, { metric, labels, threshold: spec.threshold ?? 0.5, seed: options.seed }) : undefined;
  // The figures above measure the evaluated model; the package may hold the same pipeline refit on every labelled row.
  lap('importance (SHAP and permutation)');
  const fit = refitPlan(plan.kind, plan.kind === 'test' ? plan.source : undefined, options.refit, y.length, labelled?.y.length);
  let served = pipeline;
  if (fit.refit && labelled !== undefined) {
    // The search's deadline is for the search: the refit fits each member in full.
    const { deadline: _searchOnly, ...refitOptions } = options;
    served = await refitPipeline(labelled, recipes, data.schema, spec, options, warnings, (table, y, candidate) => fitMember(table, y, data.schema, spec, candidate, refitOptions));
    fit.rows = labelled.y.length;
  }
  if (fit.refit && labelled !== undefined) lap('refit on every labelled row');
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(test.metrics)) if (v !== undefined) metrics[k] = v;
  const pkg: ModelPackage = {
    // The training rows interventional explanations measure against, kept with the package: those it was fitted on.
    pipeline: {
      ...served.spec,
      background: backgroundRows(fit.refit && labelled !== undefined ? labelled.table : table, served.inputColumns),
      // What live traffic is watched against: the rows the served model was fitted on, and predictions on rows it was not.
      monitor: buildReference(
        fit.refit && labelled !== undefined ? labelled.table : table,
        served.inputColumns,
        { scores: testScores, rows: spec.task === 'regression' ? testScores.length : testScores.length / labels.length, source: 'held-out', y: yTest, ...(spec.task !== 'regression' ? { predicted: pipeline.label(testScores).map(String) } : {}) },
        importance === undefined ? undefined : importanceShares(importance.columns),
        { y: fit.refit && labelled !== undefined ? labelled.y : y, labels },
        options.seed,
      ),
    },
    info: {
      createdAt: new Date().toISOString(),
      learner: chosen,
      params: chosenParams,
      seed: options.seed,
      fingerprint: data.fingerprint,
      source: data.source,
      trainRows: fit.rows,
      metrics,
      evaluation,
      fit: { refit: fit.refit, evaluatedRows: fit.evaluatedRows, why: fit.why },
      ...(leaderboard.length > 0 ? { leaderboard: leaderboard.map((e) => ({ learner: e.learner, params: e.params, score: e.score, seconds: e.seconds })) } : {}),
    },
  };
  lap('monitoring reference and package');
  return { package: pkg, pipeline: served, fit, metric, test, trainEvaluation, leaderboard, ...(searchPlan !== undefined ? { searchPlan } : {}), ...(preference !== undefined ? { preference } : {}), ...(suspects !== undefined ? { suspects } : {}), diagnostics, warnings, ...(importance !== undefined ? { importance } : {}), ...(cvFolds === undefined ? { heldOut: { pipeline, table: testTable, y: yTest } } : {}) };
}


function checkClasses(y: Float64Array, labels: readonly string[], column: string): void {
  const counts = new Float64Array(labels.length);
  for (const v of y) counts[v]!++;
  const present = labels.filter((_, c) => counts[c]! > 0);
  if (present.length < 2) throw new HyperplaneError(`the training rows hold a single class ('${present[0] ?? ''}'); there is nothing to learn`, { column });
}

/** Out-of-fold scores of a (possibly blended) set of candidates, refitted per fold. */
async function baselineScore(table: Table, y: Float64Array, testTable: Table, yTest: Float64Array, schema: readonly ColumnSchema[], spec: SupervisedTarget, metric: MetricName, options: TrainOptions): Promise<number | undefined> {
  const reference = referenceFor(spec.task);
  if (reference === undefined) return undefined;
  const member = await fitMember(table, y, schema, spec, { learner: reference, params: {} }, options);
  const scores = new Pipeline({ target: spec, schema: [...schema], members: [member] }).scoreTable(testTable);
  return metricOf(metric, spec.task, yTest, scores, spec.labels ?? []);
}

function classShares(y: Float64Array, labels: readonly string[]): { label: string; share: number }[] {
  const counts = new Float64Array(labels.length);
  for (const v of y) counts[v]!++;
  return labels.map((label, c) => ({ label, share: counts[c]! / y.length }));
}

function predictedCounts(predicted: (string | number)[], labels: readonly string[]): { label: string; count: number }[] {
  const counts = new Map(labels.map((l) => [l, 0]));
  for (const p of predicted) counts.set(String(p), (counts.get(String(p)) ?? 0) + 1);
  return labels.map((label) => ({ label, count: counts.get(label) ?? 0 }));
}

/** Training-row metrics are taken on at most this many rows. */
const TRAIN_EVAL_ROWS = 100_000;

/**
 * About how many features a linear recipe makes of the table (what kNN and kernel learners measure distance on):
 * a number or a date one, a category one per level (the recipe keeps up to 200, levels seen twice), text 256
 * hashed buckets. An estimate for auto's costs, from the table before any recipe is fitted.
 */
function encodedWidth(table: Table, target: string): number {
  let width = 0;
  for (const c of table.columns) {
    if (c.name === target) continue;
    width += c.kind === 'categorical' ? Math.min(c.dictionary.length, 200) + 1 : c.kind === 'text' ? 256 : 1;
  }
  return Math.max(1, width);
}
