import { z } from 'zod';
import type { Contributions, Matrix, Model, Predictor } from '../contract.js';
import { checkPredictInput } from '../validate.js';
import * as state from '../state.js';
import { linearContributions, storedMeans } from './contributions.js';

// Predict time for logistic regression, apart from logistic.ts's fitting (which uses Node's threads): no node: module here.
export const LOGISTIC_FORMAT_VERSION = 1;

export const logisticPredictor = {
  kind: 'logistic',
  formatVersion: LOGISTIC_FORMAT_VERSION,
  tasks: ['binary', 'multiclass'],

  checkState(model: Model): void {
    const { coef, intercept, xMean } = state.parseState(model, z.object({ coef: state.f64, intercept: state.f64, C: z.number(), xMean: state.f64.optional() }));
    // Binary models hold one weight vector (class 1's score), multiclass one per class.
    const k = model.nClasses > 2 ? model.nClasses : 1;
    const why = k === 1 ? ' (one per feature)' : ` (${model.nFeatures} features × ${k} classes)`;
    state.checkLength('coef', coef, model.nFeatures * k, why);
    state.checkLength('intercept', intercept, k);
    state.checkFinite('coef', coef);
    state.checkFinite('intercept', intercept);
    // Models saved before explanations have no means.
    if (xMean !== undefined) {
      state.checkLength('xMean', xMean, model.nFeatures, ' (one per feature)');
      state.checkFinite('xMean', xMean);
    }
  },

  explain(model: Model, X: Matrix): Contributions {
    checkPredictInput(model, X);
    // Binary: one margin, class 1's log-odds; multiclass: each class's score before the softmax.
    return linearContributions(X, model.state['coef'] as Float64Array, model.state['intercept'] as Float64Array, storedMeans(model), model.nClasses > 2 ? 'softmax' : 'logistic');
  },

  predict(model: Model, X: Matrix): Float64Array {
    checkPredictInput(model, X);
    const coef = model.state['coef'] as Float64Array;
    const intercept = model.state['intercept'] as Float64Array;
    return predictProba(X, coef, intercept, model.nClasses);
  },
} satisfies Predictor;

/** Class probabilities, n × k row-major. Binary models hold one weight vector (the score of class 1). */
export function predictProba(X: Matrix, coef: Float64Array, intercept: Float64Array, k: number): Float64Array {
  const { n, d, data } = X;
  const out = new Float64Array(n * k);
  if (k === 2) {
    for (let i = 0; i < n; i++) {
      let z = intercept[0]!;
      const base = i * d;
      for (let j = 0; j < d; j++) z += data[base + j]! * coef[j]!;
      const p = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
      out[2 * i] = 1 - p;
      out[2 * i + 1] = p;
    }
    return out;
  }
  const z = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const base = i * d;
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      let v = intercept[c]!;
      for (let j = 0; j < d; j++) v += data[base + j]! * coef[c * d + j]!;
      z[c] = v;
      if (v > max) max = v;
    }
    let total = 0;
    for (let c = 0; c < k; c++) total += z[c] = Math.exp(z[c]! - max);
    for (let c = 0; c < k; c++) out[i * k + c] = z[c]! / total;
  }
  return out;
}
