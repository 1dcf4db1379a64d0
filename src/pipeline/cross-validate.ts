import { HyperplaneError } from '../errors.js';
import { checkMetric, DEFAULT_METRIC, metricOf, type MetricName } from '../evaluate/evaluate.js';
import { groupFolds, pickScores, timeSplit } from '../evaluate/splits.js';
import { selectRows } from '../data/table.js';
import type { Candidate } from '../search/index.js';
import type { SupervisedTask } from './pipeline.js';
import { pick } from './rows.js';
import { groupCodes, groupCount, pickCodes, tooFewGroups } from './split.js';
import { encodeTarget } from './target.js';
import { outOfFold } from './out-of-fold.js';
import type { Data, EvaluationPlan } from './train.js';

export interface CrossValidationOptions {
  target: string;
  task?: SupervisedTask;
  metric?: string;
  /** k of k-fold; ignored with `time` (one split). */
  folds: number;
  seed: number;
  classWeight?: 'balanced';
  /** Group k-fold: rows of one value of this column are never on both sides (and the column is no feature). */
  group?: string;
  /** One time holdout instead of folds: trained on rows before `cutoff` (epoch ms), scored on rows from it, as train's --time-split. */
  time?: { column: string; cutoff: number };
}

/** One candidate's cross-validated score on the labelled rows: what a search trial is worth. */
export interface CrossValidation {
  metric: MetricName;
  task: SupervisedTask;
  /** The labelled rows scored (with `time`: those from the cutoff). */
  rows: number;
  /** How trials are scored, for the user: "5-fold group cross-validation (1,234 groups of 'customer')". */
  plan: string;
  /** What the data said on the way (rows without a group or a time). */
  warnings: string[];
  score(candidate: Candidate, signal?: AbortSignal): Promise<number>;
}

/**
 * Cross-validation of candidates on one table, as `train --cv` measures a model: the same folds for every
 * candidate (stratified for classification, seeded; whole groups with `group`), and the folds' recipes
 * fitted once and shared. With `time`, one split by date instead, as `train --time-split`.
 */
export function crossValidation(data: Data, options: CrossValidationOptions): CrossValidation {
  if (options.group !== undefined && options.time !== undefined) throw new HyperplaneError(`choose one of --group and --time-split: a time split already keeps the future out of training`, { field: 'group' });
  if (options.time === undefined && (!Number.isInteger(options.folds) || options.folds < 2)) throw new HyperplaneError(`--cv ${options.folds}: expected a whole number of folds, 2 or more`, { field: 'cv' });
  const target = encodeTarget(data.table, data.schema, options.target, data.source, options.task);
  const spec = target.spec;
  const metric = checkMetric(options.metric ?? DEFAULT_METRIC[spec.task], spec.task);
  const warnings: string[] = [];
  let keep: Int32Array = Int32Array.from({ length: data.table.nRows }, (_, i) => i).filter((i) => target.y[i] === target.y[i]);
  const fmt = (n: number): string => n.toLocaleString('en-US');

  // The fold plan: each row's fold (−1: always trained on), the folds scored, and the rows whose scores count.
  let assignment: Int32Array | undefined;
  let folds = options.folds;
  let scored: Int32Array | undefined;
  let plan: string;
  let evaluation: EvaluationPlan = { kind: 'cv', folds };
  if (options.time !== undefined) {
    const { column: name, cutoff } = options.time;
    const column = data.table.columns.find((c) => c.name === name);
    if (column === undefined || column.kind !== 'datetime') throw new HyperplaneError('--time-split needs a date column', { column: name });
    const split = timeSplit(pick(column.values, keep), cutoff, name);
    if (split.dropped > 0) warnings.push(`${fmt(split.dropped)} rows have no '${name}' and were left out of both sides of the time split`);
    // Rows without a time are left out; the rest in table order, the later ones scored.
    const timed = Int32Array.from([...split.train, ...split.test]).sort();
    const cut = new Set(split.test);
    assignment = Int32Array.from(timed, (r) => (cut.has(r) ? 0 : -1));
    scored = Int32Array.from({ length: timed.length }, (_, i) => i).filter((i) => assignment![i] === 0);
    keep = pickCodes(keep, timed);
    folds = 1;
    evaluation = { kind: 'time', column: name, cutoff };
    plan = `a time split: trained on the ${fmt(split.train.length)} rows before ${new Date(cutoff).toISOString().slice(0, 10)}, scored on the ${fmt(split.test.length)} from it`;
  } else if (options.group !== undefined) {
    const coded = groupCodes(selectRows(data.table, keep), options.group, spec.name, data.source);
    if (coded.missing > 0) warnings.push(`${fmt(coded.missing)} rows have no '${options.group}': each is a group of its own`);
    const count = groupCount(coded.codes);
    if (count < folds) throw tooFewGroups(options.group, count, folds);
    assignment = groupFolds(coded.codes, folds);
    evaluation = { kind: 'cv', folds, group: options.group };
    plan = `${folds}-fold group cross-validation (${fmt(count)} groups of '${options.group}')`;
  } else {
    plan = `${folds}-fold cross-validation${spec.task !== 'regression' ? ' (stratified)' : ''}`;
  }
  const table = selectRows(data.table, keep);
  const y = pick(target.y, keep);
  if (options.time === undefined && y.length < folds) throw new HyperplaneError(`${y.length} labelled rows cannot make ${folds} folds`, { field: 'cv' });
  const yScored = scored === undefined ? y : pick(y, scored);
  const k = spec.task === 'regression' ? 1 : (spec.labels?.length ?? 1);
  return {
    metric,
    task: spec.task,
    rows: yScored.length,
    plan,
    warnings,
    async score(candidate, signal) {
      const scores = await outOfFold(
        table,
        y,
        data.schema,
        spec,
        [candidate],
        folds,
        {
          target: options.target,
          learner: candidate.learner,
          evaluation,
          seed: options.seed,
          timeBudgetSeconds: Number.POSITIVE_INFINITY,
          ...(options.classWeight !== undefined ? { classWeight: options.classWeight } : {}),
          ...(signal !== undefined ? { signal } : {}),
        },
        assignment,
      );
      return metricOf(metric, spec.task, yScored, scored === undefined ? scores : pickScores(scores, scored, k), spec.labels ?? []);
    },
  };
}

