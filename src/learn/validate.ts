import type { Capabilities, FitOptions, Matrix, Model, Task } from './contract.js';
import { LearnError, throwIfAborted } from './errors.js';

export function checkMatrix(X: Matrix, what: string): void {
  if (!Number.isInteger(X.n) || !Number.isInteger(X.d) || X.n < 0 || X.d < 0 || X.data.length !== X.n * X.d) {
    throw new LearnError(`${what}: data has ${X.data.length} values, expected n × d = ${X.n} × ${X.d}`);
  }
}

/** Refuses NaN/±Infinity in X for learners that don't handle missing values, naming the first cell. */
export function checkFinite(X: Matrix, capabilities: Capabilities, learner: string): void {
  if (capabilities.missingValues !== 'reject') return;
  const data = X.data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v - v !== 0) {
      const row = Math.floor(i / X.d);
      const col = i - row * X.d;
      const what = Number.isNaN(v) ? 'a missing value (NaN)' : `an infinite value (${v})`;
      throw new LearnError(`${learner}: X has ${what} at row ${row}, feature ${col}; ${learner} needs complete data (impute it first)`);
    }
  }
}

/** Class codes must be integers 0..k-1 for classification; values must be finite for regression. */
export function checkTarget(y: Float64Array, n: number, task: Task, learner: string): number {
  if (y.length !== n) throw new LearnError(`${learner}: y has ${y.length} values but X has ${n} rows`);
  if (n === 0) throw new LearnError(`${learner}: no rows to train on`);
  if (task === 'regression' || task === 'anomaly') {
    for (let i = 0; i < n; i++) if (!Number.isFinite(y[i]!)) throw new LearnError(`${learner}: y[${i}] is ${y[i]}; a regression target must be finite`);
    return 1;
  }
  let k = 0;
  for (let i = 0; i < n; i++) {
    const c = y[i]!;
    if (!Number.isInteger(c) || c < 0) throw new LearnError(`${learner}: y[${i}] is ${c}; class codes must be integers 0, 1, …`);
    if (c + 1 > k) k = c + 1;
  }
  return task === 'binary' ? Math.max(2, k) : k;
}

export function checkWeights(weights: Float64Array | undefined, n: number, learner: string): Float64Array | undefined {
  if (weights === undefined) return undefined;
  if (weights.length !== n) throw new LearnError(`${learner}: ${weights.length} weights for ${n} rows`);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i]!;
    if (!(w >= 0) || !Number.isFinite(w)) throw new LearnError(`${learner}: weight[${i}] is ${w}; weights must be finite and non-negative`);
    total += w;
  }
  if (total <= 0) throw new LearnError(`${learner}: all weights are zero`);
  return weights;
}

export function checkPredictInput(model: Model, X: Matrix): void {
  if (model.state === undefined || Object.keys(model.state).length === 0) {
    throw new LearnError(`${model.kind}: the model has not been fitted; call fit first`);
  }
  checkMatrix(X, model.kind);
  if (X.d !== model.nFeatures) {
    throw new LearnError(`${model.kind}: the model was trained on ${model.nFeatures} features but X has ${X.d}`);
  }
}

/** Distinct classes present in y (for single-class checks). */
export function presentClasses(y: Float64Array, k: number, weights?: Float64Array): number {
  const seen = new Uint8Array(k);
  let count = 0;
  for (let i = 0; i < y.length; i++) {
    if (weights !== undefined && weights[i] === 0) continue;
    const c = y[i]!;
    if (seen[c] === 0) {
      seen[c] = 1;
      count++;
    }
  }
  return count;
}

export interface CheckedFit {
  /** Classes (classification) or 1. */
  k: number;
  weights: Float64Array | undefined;
  classification: boolean;
}

/**
 * The checks every fit starts with, in one place: not aborted, a supported task, a well-formed X, a
 * valid y and weights, and at least two classes when the learner declares a single class an error.
 * NaN in X is checked by the learner, which may find it more cheaply on the way.
 */
export function checkFit(name: string, capabilities: Capabilities, X: Matrix, y: Float64Array, task: Task, options: FitOptions): CheckedFit {
  throwIfAborted(options.signal);
  if (!capabilities.tasks.includes(task)) throw new LearnError(taskRefusal(name, capabilities.tasks, task));
  checkMatrix(X, name);
  const k = checkTarget(y, X.n, task, name);
  const weights = checkWeights(options.weights, X.n, name);
  const classification = task === 'binary' || task === 'multiclass';
  if (classification && capabilities.singleClass === 'error' && presentClasses(y, k, weights) < 2) {
    throw new LearnError(`${name}: y has a single class; a classifier needs at least two`);
  }
  return { k, weights, classification };
}

/** Why a learner refuses a task, saying what it is for: `scorecard is for binary targets; this one is multiclass`. */
export function taskRefusal(name: string, tasks: readonly Task[], task: Task): string {
  const what = (t: Task): string => (t === 'anomaly' ? 'anomaly detection' : t === 'cluster' ? 'clustering' : `${t} targets`);
  const list = tasks.map(what);
  const joined = list.length === 1 ? list[0]! : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]!}`;
  return `${name} is for ${joined}; this ${task === 'anomaly' ? 'is anomaly detection' : task === 'cluster' ? 'is clustering' : `target is ${task}`}`;
}
