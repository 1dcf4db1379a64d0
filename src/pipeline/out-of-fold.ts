// Fitting candidates on rows of the training table, and scoring them out of fold: what training, cross-validation,
// ablation and auto's search (here or on a queue's workers) share.

import type { ColumnSchema } from '../data/schema/schema.js';
import { selectRows, type Table } from '../data/table.js';
import { HyperplaneError } from '../errors.js';
import { foldSplit, kFolds } from '../evaluate/splits.js';
import { fitTrainingRecipe, type Recipe } from '../features/recipe.js';
import type { Learner, Matrix } from '../learn/contract.js';
import { checkParams, fit, getLearner } from '../learn/registry.js';
import type { AutoObjective, Candidate } from '../search/index.js';
import { measureMember } from './measure.js';
import { Pipeline, type Member, type SupervisedTarget } from './pipeline.js';
import { pick } from './rows.js';
import { groupCodes, groupColumn } from './split.js';
import type { TrainOptions } from './train.js';

/**
 * Fitted recipes and their matrices, by table and family: the candidates of one family, fitted on the
 * same rows (a fold, or all training rows), share one recipe instead of each fitting and transforming
 * anew — on big tables that was most of a cheap candidate's time.
 */
/**
 * A cache per (rows, their targets): keyed by the targets too (each training makes its own y), so two trainings
 * on one table, with another target, group column or recipe, never share a recipe or a fold.
 */
type RowsCache<T> = WeakMap<Table, WeakMap<Float64Array, Map<string, T>>>;

/** The entries cached for these rows and targets (an empty map the first time). */
function cachedFor<T>(cache: RowsCache<T>, table: Table, y: Float64Array): Map<string, T> {
  let byTargets = cache.get(table);
  if (byTargets === undefined) cache.set(table, (byTargets = new WeakMap()));
  let entries = byTargets.get(y);
  if (entries === undefined) byTargets.set(y, (entries = new Map()));
  return entries;
}

const recipeCache: RowsCache<{ recipe: Recipe; X: Matrix }> = new WeakMap();

/** Fits one recipe and model on rows of the training table. */
export async function fitMember(table: Table, y: Float64Array, schema: readonly ColumnSchema[], target: SupervisedTarget, candidate: Candidate, options: TrainOptions): Promise<Member> {
  const learner = getLearner(candidate.learner);
  // Learners that read no features (the baseline) take the cheaper tree recipe; a learner over written
  // conditions (rules) reads those conditions, evaluated on the raw columns, and nothing else.
  const family = learner.capabilities.missingValues === 'reject' ? 'linear' : 'tree';
  const conditions = learner.conditions?.(checkParams(learner, candidate.params)).map((c) => ({ if: c.if, field: `${learner.name}.${c.field}` }));
  const key = conditions === undefined ? family : `conditions ${JSON.stringify(conditions)}`;
  // A group column identifies rows (customers): a model that learnt its values would not carry to new ones.
  const group = groupColumn(options.evaluation);
  const byFamily = cachedFor(recipeCache, table, y);
  let prepared = byFamily.get(key);
  if (prepared === undefined) {
    // The target goes in for supervised steps (trees' text scores), fitted on these rows only: in auto's
    // cross-validation each fold's recipe sees only that fold's training rows.
    const supervision = { y, task: target.task, seed: options.seed, name: target.name, ...(target.labels !== undefined ? { labels: target.labels } : {}) };
    const outputs = conditions !== undefined ? { conditions } : options.recipe !== undefined ? { outputs: options.recipe.outputs, groups: options.recipe.groups ?? {} } : {};
    try {
      prepared = fitTrainingRecipe(table, schema, { family, exclude: group === undefined ? [target.name] : [target.name, group], target: supervision, ...outputs });
    } catch (e) {
      // An explicit recipe that reads the group column: say why it is not there.
      if (group !== undefined && e instanceof HyperplaneError && e.reason.includes(`unknown column or group '${group}'`)) throw new HyperplaneError(`${e.reason} ('${group}' is the --group column, which is no feature)`, e.location);
      throw e;
    }
    byFamily.set(key, prepared);
  }
  const { recipe, X } = prepared;
  const params = { ...candidate.params };
  const shape = paramKeys(learner);
  if (shape.has('categorical_features') && params['categorical_features'] === undefined && recipe.categorical.length > 0) params['categorical_features'] = recipe.categorical;
  if (options.classWeight !== undefined && shape.has('class_weight') && params['class_weight'] === undefined) params['class_weight'] = options.classWeight;
  // Rows of one group (a customer) stay on one side of a learner's own holdout (early stopping) too.
  const groups = group !== undefined && table.columns.some((c) => c.name === group) ? groupCodes(table, group, target.name).codes : undefined;
  const model = await fit(candidate.learner, X, y, target.task, params, { seed: options.seed, ...(target.labels !== undefined ? { classes: target.labels } : {}), ...(groups !== undefined ? { groups } : {}), ...(options.signal !== undefined ? { signal: options.signal } : {}), ...(options.deadline !== undefined ? { deadline: options.deadline } : {}) });
  return { recipe, model, weight: 1 };
}

function paramKeys(learner: Learner): Set<string> {
  const shape = (learner.params as unknown as { shape?: Record<string, unknown> }).shape;
  return new Set(shape === undefined ? [] : Object.keys(shape));
}

/**
 * Out-of-fold scores: each fold's rows scored by candidates fitted on the other rows. With an
 * `assignment`, rows marked −1 are never scored (always trained on) and their scores stay 0.
 */
export async function outOfFold(table: Table, y: Float64Array, schema: readonly ColumnSchema[], spec: SupervisedTarget, candidates: Candidate[], folds: number, options: TrainOptions, given?: Int32Array, fitted?: Member[][]): Promise<Float64Array> {
  const k = spec.labels?.length ?? 1;
  const assignment = given ?? kFolds(y, folds, options.seed, spec.task !== 'regression');
  const out = new Float64Array(y.length * k);
  for (let f = 0; f < folds; f++) {
    const { split, trainTable, validTable, yTrain } = foldOf(table, y, assignment, `${given !== undefined ? `given ${assignmentId(given)}` : folds}:${options.seed}:${f}`, f);
    if (split.test.length === 0) continue;
    const members = [];
    for (const c of candidates) members.push({ ...(await fitMember(trainTable, yTrain, schema, spec, c, options)), weight: c.weight ?? 1 });
    fitted?.push(members);
    const scores = new Pipeline({ target: spec, schema: [...schema], members }).scoreTable(validTable);
    split.test.forEach((row, r) => {
      for (let c = 0; c < k; c++) out[row * k + c] = scores[r * k + c]!;
    });
    options.onProgress?.({ step: 'cross-validation', done: f + 1, total: folds, unit: 'folds' });
  }
  return out;
}

/**
 * What the search scores and fits with: this pipeline's out-of-fold scores and members. A learner that stops
 * itself on each fold (early stopping, the deadline) is refitted with the params it gives from the folds' fits.
 */
export function searchObjective(table: Table, y: Float64Array, schema: readonly ColumnSchema[], spec: SupervisedTarget, options: TrainOptions): AutoObjective<Member> {
  const { onProgress: _quiet, ...quiet } = options;
  return {
    async score(candidate, plan) {
      const fitted: Member[][] = [];
      const scores = await outOfFold(table, y, schema, spec, [candidate], plan.folds, { ...quiet, signal: plan.signal, deadline: plan.deadline }, plan.assignment, fitted);
      const models = fitted.at(-1) ?? [];
      const refit = getLearner(candidate.learner).refitParams?.(fitted.map((f) => f[0]!.model), candidate.params);
      return { scores, models, ...(refit !== undefined ? { refitParams: refit } : {}) };
    },
    fit: (candidate) => fitMember(table, y, schema, spec, candidate, options),
    weighted: (member, weight) => ({ ...member, weight }),
    measure: (member) => measureMember(member, table, schema, spec),
  };
}


/** The baseline's score on the test rows: what the model must beat. */

interface Fold {
  split: { train: Int32Array; test: Int32Array };
  trainTable: Table;
  validTable: Table;
  yTrain: Float64Array;
}
const foldCache: RowsCache<Fold> = new WeakMap();
/** Given assignments by identity: two of them on one table (auto's group folds, then cross-validation's) are not one fold plan. */
const assignmentIds = new WeakMap<Int32Array, number>();
let nextAssignmentId = 0;
function assignmentId(assignment: Int32Array): number {
  let id = assignmentIds.get(assignment);
  if (id === undefined) assignmentIds.set(assignment, (id = nextAssignmentId++));
  return id;
}

/** A fold's tables, made once per table and fold plan: candidates then share them, and the recipes fitted on them. */
function foldOf(table: Table, y: Float64Array, assignment: Int32Array, key: string, f: number): Fold {
  const byKey = cachedFor(foldCache, table, y);
  let fold = byKey.get(key);
  if (fold === undefined) {
    const split = foldSplit(assignment, f);
    fold = { split, trainTable: selectRows(table, split.train), validTable: selectRows(table, split.test), yTrain: pick(y, split.train) };
    byKey.set(key, fold);
  }
  return fold;
}
