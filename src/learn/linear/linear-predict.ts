import { z } from 'zod';
import type { Contributions, Matrix, Model, Predictor } from '../contract.js';
import { checkPredictInput } from '../validate.js';
import * as state from '../state.js';
import { linearContributions, storedMeans } from './contributions.js';

// Predict time for linear regression, apart from linear.ts's fitting (its Gram matrix uses Node's threads): no node: module here.
export const LINEAR_FORMAT_VERSION = 1;

export const linearPredictor = {
  kind: 'linear',
  formatVersion: LINEAR_FORMAT_VERSION,
  tasks: ['regression'],

  checkState(model: Model): void {
    const { coef, xMean } = state.parseState(model, z.object({ coef: state.f64, intercept: state.finite, xMean: state.f64.optional() }));
    state.checkLength('coef', coef, model.nFeatures, ' (one per feature)');
    state.checkFinite('coef', coef);
    // Models saved before explanations have no means.
    if (xMean !== undefined) {
      state.checkLength('xMean', xMean, model.nFeatures, ' (one per feature)');
      state.checkFinite('xMean', xMean);
    }
  },

  explain(model: Model, X: Matrix): Contributions {
    checkPredictInput(model, X);
    return linearContributions(X, model.state['coef'] as Float64Array, [model.state['intercept'] as number], storedMeans(model), 'identity');
  },

  predict(model: Model, X: Matrix): Float64Array {
    checkPredictInput(model, X);
    const coef = model.state['coef'] as Float64Array;
    const intercept = model.state['intercept'] as number;
    const { n, d, data } = X;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = intercept;
      const base = i * d;
      for (let j = 0; j < d; j++) s += data[base + j]! * coef[j]!;
      out[i] = s;
    }
    return out;
  },
} satisfies Predictor;
