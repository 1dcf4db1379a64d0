import type { FitOptions, Learner, Matrix, Model, Task } from './contract.js';
import { LearnError } from './errors.js';
import { baselineLearner } from './baseline/baseline.js';
import { linearLearner } from './linear/linear.js';
import { logisticLearner } from './linear/logistic.js';
import { gbdtLearner } from './tree/gbdt.js';
import { forestLearner } from './tree/forest.js';
import { isolationForestLearner } from './tree/isolation-forest.js';
import { deserializeModel, serializeModel } from './serialize.js';
import './tree/shap-threads.js';

/** Every learner, by name. Callers look learners up here and read their capabilities. */
export const LEARNERS: ReadonlyMap<string, Learner> = new Map<string, Learner>(
  [baselineLearner, linearLearner, logisticLearner, gbdtLearner, forestLearner, isolationForestLearner].map((l) => [l.name, l as unknown as Learner]),
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
    throw new LearnError(`${name}: task '${task}' is not supported (it does ${learner.capabilities.tasks.join(', ')})`);
  }
  const parsed = learner.params.safeParse(params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LearnError(`${name}: parameter '${issue.path.join('.') || '(params)'}': ${issue.message}`);
  }
  return learner.fit(X, y, task, parsed.data, options);
}

/** Scores for X from a fitted model: n × k probabilities for classifiers, n values for regression. */
export function predict(model: Model, X: Matrix): Float64Array {
  return getLearner(model.kind).predict(model, X);
}

/** Readies a model for a big batch ahead of its rows, where its learner can (a no-op elsewhere). */
export function prepareBatch(model: Model): void {
  getLearner(model.kind).prepareBatch?.(model);
}

export function saveModel(model: Model): Uint8Array {
  return serializeModel(model);
}

/** Reads a model file and checks it whole: a file that would predict wrongly is an error naming the field. */
export function loadModel(bytes: Uint8Array): Model {
  const model = readModel(bytes);
  checkModel(model);
  return model;
}

/** Reads a model file's header and arrays, unchecked beyond the container (loadModel checks too). */
export function readModel(bytes: Uint8Array): Model {
  return deserializeModel(bytes, (kind) => LEARNERS.get(kind)?.formatVersion);
}

/** Checks a read model: its task and classes, then its state, by its learner. */
export function checkModel(model: Model): void {
  const learner = getLearner(model.kind);
  if (!learner.capabilities.tasks.includes(model.task)) throw new LearnError(`task '${model.task}' is not one ${model.kind} does (${learner.capabilities.tasks.join(', ')})`);
  const classes = model.task === 'binary' ? '2' : model.task === 'multiclass' ? '2 or more' : '1';
  const classesOk = model.task === 'binary' ? model.nClasses === 2 : model.task === 'multiclass' ? model.nClasses >= 2 : model.nClasses === 1;
  if (!classesOk) throw new LearnError(`nClasses is ${model.nClasses}; a ${model.task} model has ${classes}`);
  learner.checkState(model);
}
