import { HyperplaneError } from '../errors.js';
import { checkMetric, DEFAULT_METRIC, metricOf, type MetricName } from '../evaluate/evaluate.js';
import { selectRows } from '../data/table.js';
import type { Candidate } from '../search/index.js';
import type { TargetSpec } from './pipeline.js';
import { pick } from './rows.js';
import { encodeTarget } from './target.js';
import { outOfFold, type Data } from './train.js';

export interface CrossValidationOptions {
  target: string;
  task?: TargetSpec['task'];
  metric?: string;
  folds: number;
  seed: number;
  classWeight?: 'balanced';
}

/** One candidate's cross-validated score on the labelled rows: what a search trial is worth. */
export interface CrossValidation {
  metric: MetricName;
  task: TargetSpec['task'];
  /** The labelled rows scored. */
  rows: number;
  score(candidate: Candidate, signal?: AbortSignal): Promise<number>;
}

/**
 * Cross-validation of candidates on one table, as `train --cv` measures a model: the same folds for every
 * candidate (stratified for classification, seeded), and the folds' recipes fitted once and shared.
 */
export function crossValidation(data: Data, options: CrossValidationOptions): CrossValidation {
  if (!Number.isInteger(options.folds) || options.folds < 2) throw new HyperplaneError(`--cv ${options.folds}: expected a whole number of folds, 2 or more`, { field: 'cv' });
  const target = encodeTarget(data.table, data.schema, options.target, data.source, options.task);
  const spec = target.spec;
  const metric = checkMetric(options.metric ?? DEFAULT_METRIC[spec.task], spec.task);
  const keep = Int32Array.from({ length: data.table.nRows }, (_, i) => i).filter((i) => target.y[i] === target.y[i]);
  const table = selectRows(data.table, keep);
  const y = pick(target.y, keep);
  if (y.length < options.folds) throw new HyperplaneError(`${y.length} labelled rows cannot make ${options.folds} folds`, { field: 'cv' });
  return {
    metric,
    task: spec.task,
    rows: y.length,
    async score(candidate, signal) {
      const scores = await outOfFold(table, y, data.schema, spec, [candidate], options.folds, {
        target: options.target,
        learner: candidate.learner,
        evaluation: { kind: 'cv', folds: options.folds },
        seed: options.seed,
        timeBudgetSeconds: Number.POSITIVE_INFINITY,
        ...(options.classWeight !== undefined ? { classWeight: options.classWeight } : {}),
        ...(signal !== undefined ? { signal } : {}),
      });
      return metricOf(metric, spec.task, y, scores, spec.labels ?? []);
    },
  };
}
