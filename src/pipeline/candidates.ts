import { LEARNERS } from '../learn/registry.js';
import type { TargetSpec } from './pipeline.js';

export interface Candidate {
  learner: string;
  params: Record<string, unknown>;
  /** In an ensemble: this member's weight (1 by default). */
  weight?: number;
}

/**
 * What `auto` tries: the baseline (what ML must beat), a linear model at three penalties,
 * gradient-boosted trees at three sizes (early stopping picks the rounds), a random forest, and for
 * binary targets a scorecard — one of
 * each family first, so that a tight time budget still compares families. Learners that don't do the
 * task are left out by their capabilities.
 */
export function candidatesFor(task: TargetSpec['task'], rows: number, rules = false): Candidate[] {
  const boosted = (params: Record<string, unknown>): Candidate => ({
    learner: 'gbdt',
    params: { n_estimators: 2000, early_stopping_rounds: 50, validation_fraction: 0.15, ...params },
  });
  // Small data: fewer rows per leaf, so the trees can grow at all.
  const minLeaf = rows < 2000 ? 5 : 20;
  const linear = task === 'regression' ? [1, 10, 0.1].map((alpha) => ({ learner: 'linear', params: { alpha } })) : [1, 0.1, 10].map((C) => ({ learner: 'logistic', params: { C, tol: 1e-4, max_iter: 500 } }));
  // One of each family first, so a tight budget still compares families; then the variants.
  const list: Candidate[] = [
    { learner: 'baseline', params: {} },
    // The team's heuristic, when there is one: the other bar ML must clear.
    ...(rules ? [{ learner: 'rules', params: {} }] : []),
    linear[0]!,
    boosted({ num_leaves: 15, learning_rate: 0.1, min_data_in_leaf: minLeaf }),
    { learner: 'forest', params: { n_estimators: 300 } },
    // Binary targets: a scorecard, the model a loan officer can read, so a simpler choice can be weighed.
    { learner: 'scorecard', params: {} },
    ...linear.slice(1),
    boosted({ num_leaves: 31, learning_rate: 0.05, min_data_in_leaf: minLeaf, colsample: 0.8 }),
    boosted({ num_leaves: 7, learning_rate: 0.05, min_data_in_leaf: minLeaf, lambda_l2: 1 }),
  ];
  return list.filter((c) => c.learner === 'rules' || LEARNERS.get(c.learner)?.capabilities.tasks.includes(task) === true);
}
