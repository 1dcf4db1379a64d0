import { z } from 'zod';
import type { Matrix, Model, Predictor } from '../contract.js';
import { checkPredictInput } from '../validate.js';
import { checkFinite, checkLength, f64, parseState, stateError } from '../state.js';

// Predict time for rules, apart from rules.ts's fitting: no node: module here.
export const RULES_FORMAT_VERSION = 1;

/**
 * A rules model reads one 0/1 feature per condition (the recipe evaluates the conditions on the raw
 * columns) and gives the outcome of the first that holds, or `otherwise`'s. State: `outcomes`, the scores
 * of each condition then of `otherwise`, (conditions + 1) × the scores per row.
 */
export const rulesPredictor = {
  kind: 'rules',
  formatVersion: RULES_FORMAT_VERSION,
  tasks: ['binary', 'multiclass', 'regression'],

  checkState(model: Model): void {
    const { outcomes } = parseState(model, z.object({ outcomes: f64 }));
    const width = model.task === 'regression' ? 1 : model.nClasses;
    checkLength('outcomes', outcomes, (model.nFeatures + 1) * width, ` (one row of ${width} per condition and one for otherwise)`);
    checkFinite('outcomes', outcomes);
    if (model.task === 'regression') return;
    for (let r = 0; r <= model.nFeatures; r++) {
      let sum = 0;
      for (let c = 0; c < width; c++) {
        const p = outcomes[r * width + c]!;
        if (p < 0 || p > 1) throw stateError(`outcomes[${r * width + c}]`, `is ${p}; expected a probability from 0 to 1`);
        sum += p;
      }
      if (Math.abs(sum - 1) > 1e-9) throw stateError('outcomes', `row ${r} sums to ${sum}; expected class probabilities summing to 1`);
    }
  },

  predict(model: Model, X: Matrix): Float64Array {
    checkPredictInput(model, X);
    const outcomes = model.state['outcomes'] as Float64Array;
    const width = outcomes.length / (model.nFeatures + 1);
    const fired = firedRules(model, X);
    const out = new Float64Array(X.n * width);
    for (let i = 0; i < X.n; i++) out.set(outcomes.subarray(fired[i]! * width, (fired[i]! + 1) * width), i * width);
    return out;
  },

  firedRules,
} satisfies Predictor;

/** Each row's rule: the first condition that holds (its feature is 1), or the number of conditions for `otherwise`. */
function firedRules(model: Model, X: Matrix): Int32Array {
  checkPredictInput(model, X);
  const d = X.d;
  const out = new Int32Array(X.n);
  for (let i = 0; i < X.n; i++) {
    let r = 0;
    while (r < d && !(X.data[i * d + r]! > 0.5)) r++;
    out[i] = r;
  }
  return out;
}
