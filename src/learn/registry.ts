import type { FitOptions, Learner, Matrix, Model, Task } from './contract.js';
import { LearnError } from './errors.js';
import { taskRefusal } from './validate.js';
import { baselineLearner } from './baseline/baseline.js';
import { linearLearner } from './linear/linear.js';
import { logisticLearner } from './linear/logistic.js';
import { gbdtLearner } from './tree/gbdt.js';
import { forestLearner } from './tree/forest.js';
import { isolationForestLearner } from './tree/isolation-forest.js';
import { scorecardLearner } from './scorecard/scorecard.js';
import { rulesLearner } from './rules/rules.js';
import { knnLearner } from './knn/knn.js';
import { rbfSvmLearner } from './svm/rbf-svm.js';
import { oneClassSvmLearner } from './svm/one-class-svm.js';
import { serializeModel } from './serialize.js';
import './threads.js';

/** Every learner, by name. Callers look learners up here and read their capabilities. */
export const LEARNERS: ReadonlyMap<string, Learner> = new Map<string, Learner>(
  [baselineLearner, linearLearner, logisticLearner, scorecardLearner, gbdtLearner, forestLearner, isolationForestLearner, oneClassSvmLearner, rulesLearner, knnLearner, rbfSvmLearner].map((l) => [l.name, l as unknown as Learner]),
);

export function getLearner(name: string): Learner {
  const learner = LEARNERS.get(name);
  if (learner === undefined) throw new LearnError(`unknown learner '${name}'; learners are: ${[...LEARNERS.keys()].join(', ')}`);
  return learner;
}

/** Validates `params` against the learner's schema (filling defaults) and fits. */
export async function fit(name: string, X: Matrix, y: Float64Array, task: Task, params: { [key: string]: unknown } = {}, options: FitOptions = {}): Promise<Model> {
  const learner = getLearner(name);
  if (!learner.capabilities.tasks.includes(task)) {
    throw new LearnError(taskRefusal(name, learner.capabilities.tasks, task));
  }
  return learner.fit(X, y, task, checkParams(learner, params), options);
}

/** The params checked against the learner's schema, defaults filled; a LearnError names the first bad one. */
export function checkParams(learner: Learner, params: { [key: string]: unknown }): { [key: string]: unknown } {
  const parsed = learner.params.safeParse(params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LearnError(`${learner.name}: parameter '${issue.path.join('.') || '(params)'}': ${issue.message}`);
  }
  return parsed.data;
}

export function saveModel(model: Model): Uint8Array {
  return serializeModel(model);
}

// Prediction, loading and checking are the predict-time registry's (node-free): one implementation.
export { checkModel, loadModel, predict, prepareBatch, readModel } from './predictors.js';
