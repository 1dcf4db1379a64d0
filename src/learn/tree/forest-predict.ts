import { z } from 'zod';
import type { Contributions, ExplainOptions, Matrix, Model, Predictor } from '../contract.js';
import { checkPredictInput } from '../validate.js';
import { addModelScores, forestLayoutOf, prepareModelScores, treesOf } from './pack.js';
import { explainTrees } from './tree-shap.js';
import { explainTreesInterventional } from './tree-shap-interventional.js';
import { parseState, stateError } from '../state.js';
import { checkPackedTrees } from './check-state.js';

// Predict time for random forests, apart from forest.ts's fitting (which needs Node's threads): no node: module here.
const NAME = 'forest';
export const FOREST_FORMAT_VERSION = 1;

export const forestPredictor = {
  kind: NAME,
  formatVersion: FOREST_FORMAT_VERSION,
  tasks: ['binary', 'multiclass', 'regression'],

  checkState(model: Model): void {
    // Models from before multiclass forests have no 'outputs': one.
    const { outputs = 1 } = parseState(model, z.object({ outputs: z.number().optional() }));
    const K = model.nClasses > 2 ? model.nClasses : 1;
    if (outputs !== K) throw stateError('outputs', `is ${outputs}; a forest with ${model.nClasses} classes has ${K}`);
    const trees = checkPackedTrees(model);
    if (trees % K !== 0) throw stateError('nodeOffset', `holds ${trees} trees; expected a multiple of ${K} (one per class)`);
  },

  prepareBatch(model: Model): void {
    prepareModelScores(model, (model.state['outputs'] as number | undefined) ?? 1);
  },

  explain(model: Model, X: Matrix, options?: ExplainOptions): Contributions {
    checkPredictInput(model, X);
    if (options?.background !== undefined) checkPredictInput(model, options.background);
    const K = (model.state['outputs'] as number | undefined) ?? 1;
    const trees = treesOf(model.state);
    // The margin is the averaged score: P(class 1) for binary, class shares for multiclass, the value for regression.
    if (options?.background !== undefined) return explainTreesInterventional(NAME, trees, K, new Float64Array(K), K / trees.length, X, options.background, 'identity');
    return explainTrees(NAME, trees, K, new Float64Array(K), K / trees.length, X, 'identity');
  },

  predict(model: Model, X: Matrix): Float64Array {
    checkPredictInput(model, X);
    // Models from before multiclass forests have no 'outputs': one.
    const K = (model.state['outputs'] as number | undefined) ?? 1;
    const scores = new Float64Array(X.n * K);
    addModelScores(model, K, X.data, X.n, X.d, scores);
    const T = forestLayoutOf(model, K).roots.length / K;
    if (model.task === 'regression') return scores.map((s) => s / T);
    if (K > 1) return scores.map((s) => s / T);
    const out = new Float64Array(2 * X.n);
    for (let i = 0; i < X.n; i++) {
      const p = scores[i]! / T;
      out[2 * i] = 1 - p;
      out[2 * i + 1] = p;
    }
    return out;
  },
} satisfies Predictor;
