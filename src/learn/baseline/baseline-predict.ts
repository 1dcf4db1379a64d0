import { z } from 'zod';
import type { Contributions, Matrix, Model, Predictor } from '../contract.js';
import { checkPredictInput } from '../validate.js';
import { checkFinite, checkLength, f64, parseState } from '../state.js';

// Predict time for baselines, apart from baseline.ts's fitting: no node: module here.
export const BASELINE_FORMAT_VERSION = 1;

export const baselinePredictor = {
  kind: 'baseline',
  formatVersion: BASELINE_FORMAT_VERSION,
  tasks: ['binary', 'multiclass', 'regression'],

  checkState(model: Model): void {
    const { scores } = parseState(model, z.object({ scores: f64, strategy: z.string() }));
    checkLength('scores', scores, model.task === 'regression' ? 1 : model.nClasses, model.task === 'regression' ? ' (a regression baseline holds one value)' : ' (one per class)');
    checkFinite('scores', scores);
  },

  /** A base only: the features change nothing, so every contribution is 0 and each row's margin is the base. */
  explain(model: Model, X: Matrix): Contributions {
    checkPredictInput(model, X);
    const scores = model.state['scores'] as Float64Array;
    // Probabilities of exactly 0 or 1 (most_frequent) would have infinite margins: kept within 1e-15 of them.
    const clamp = (p: number): number => Math.min(1 - 1e-15, Math.max(1e-15, p));
    const base =
      model.task === 'regression' ? Float64Array.of(scores[0]!) : model.nClasses === 2 ? Float64Array.of(Math.log(clamp(scores[1]!) / clamp(scores[0]!))) : scores.map((p) => Math.log(clamp(p)));
    const outputs = base.length;
    const margin = new Float64Array(X.n * outputs);
    for (let i = 0; i < X.n; i++) margin.set(base, i * outputs);
    return { outputs, base, values: new Float64Array(X.n * outputs * X.d), margin, link: model.task === 'regression' ? 'identity' : model.nClasses === 2 ? 'logistic' : 'softmax' };
  },

  predict(model: Model, X: Matrix): Float64Array {
    checkPredictInput(model, X);
    const scores = model.state['scores'] as Float64Array;
    const out = new Float64Array(X.n * scores.length);
    for (let i = 0; i < X.n; i++) out.set(scores, i * scores.length);
    return out;
  },
} satisfies Predictor;
