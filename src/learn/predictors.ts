import type { Contributions, ExplainOptions, Matrix, Model, Predictor } from './contract.js';
import { LearnError } from './errors.js';
import { baselinePredictor } from './baseline/baseline-predict.js';
import { linearPredictor } from './linear/linear-predict.js';
import { logisticPredictor } from './linear/logistic-predict.js';
import { gbdtPredictor } from './tree/gbdt-predict.js';
import { forestPredictor } from './tree/forest-predict.js';
import { isolationForestPredictor } from './tree/isolation-forest-predict.js';
import { scorecardPredictor } from './scorecard/scorecard-predict.js';
import { rulesPredictor } from './rules/rules-predict.js';
import { knnPredictor } from './knn/knn-predict.js';
import { rbfSvmPredictor } from './svm/rbf-svm-predict.js';
import { oneClassSvmPredictor } from './svm/one-class-svm-predict.js';
import { kmeansPredictor } from './cluster/kmeans-predict.js';
import { deserializeModel } from './serialize.js';

/**
 * The predict-time registry: each model kind's predict, explain and checkState, without any learner's
 * fitting code. Browsers and edge workers run these, so nothing reachable from here imports a node:
 * module (test/learn/node-free.test.ts walks the imports). Node's faster batch paths (WebAssembly and
 * worker threads) register themselves through hooks when learn/registry.ts is loaded.
 */
export const PREDICTORS: ReadonlyMap<string, Predictor> = new Map<string, Predictor>(
  [baselinePredictor, linearPredictor, logisticPredictor, scorecardPredictor, gbdtPredictor, forestPredictor, isolationForestPredictor, oneClassSvmPredictor, rulesPredictor, knnPredictor, rbfSvmPredictor, kmeansPredictor].map((p) => [p.kind, p]),
);

export function getPredictor(kind: string): Predictor {
  const predictor = PREDICTORS.get(kind);
  // Worded as the fit-side registry's: a model kind is a learner's name.
  if (predictor === undefined) throw new LearnError(`unknown learner '${kind}'; learners are: ${[...PREDICTORS.keys()].join(', ')}`);
  return predictor;
}

/** Scores for X from a fitted model: n × k probabilities for classifiers, n values for regression. */
export function predict(model: Model, X: Matrix): Float64Array {
  return getPredictor(model.kind).predict(model, X);
}

/** Readies a model for a big batch ahead of its rows, where its kind can (a no-op elsewhere). */
export function prepareBatch(model: Model): void {
  getPredictor(model.kind).prepareBatch?.(model);
}

/** Each feature's contribution to each row's margin; a LearnError for a kind that cannot explain. */
export function explain(model: Model, X: Matrix, options?: ExplainOptions): Contributions {
  const predictor = getPredictor(model.kind);
  if (predictor.explain === undefined) throw new LearnError(`a ${model.kind} model cannot explain its predictions`);
  return predictor.explain(model, X, options);
}

/** Reads a model file and checks it whole: a file that would predict wrongly is an error naming the field. */
export function loadModel(bytes: Uint8Array): Model {
  const model = readModel(bytes);
  checkModel(model);
  return model;
}

/** Reads a model file's header and arrays, unchecked beyond the container (loadModel checks too). */
export function readModel(bytes: Uint8Array): Model {
  return deserializeModel(bytes, (kind) => PREDICTORS.get(kind)?.formatVersion);
}

/** Checks a read model: its task and classes, then its state, by its kind. */
export function checkModel(model: Model): void {
  const predictor = getPredictor(model.kind);
  if (!predictor.tasks.includes(model.task)) throw new LearnError(`task '${model.task}' is not one ${model.kind} does (${predictor.tasks.join(', ')})`);
  // A clustering's nClasses is its number of clusters.
  const classes = model.task === 'binary' ? '2' : model.task === 'multiclass' ? '2 or more' : model.task === 'cluster' ? '1 or more' : '1';
  const classesOk = model.task === 'binary' ? model.nClasses === 2 : model.task === 'multiclass' ? model.nClasses >= 2 : model.task === 'cluster' ? Number.isInteger(model.nClasses) && model.nClasses >= 1 : model.nClasses === 1;
  if (!classesOk) throw new LearnError(`nClasses is ${model.nClasses}; a ${model.task} model has ${classes}`);
  predictor.checkState(model);
}

/** A decision list's rule per row (see Predictor.firedRules); undefined for a kind that is not one. */
export function firedRules(model: Model, X: Matrix): Int32Array | undefined {
  return getPredictor(model.kind).firedRules?.(model, X);
}
