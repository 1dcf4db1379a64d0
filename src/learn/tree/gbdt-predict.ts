import { z } from 'zod';
import type { Contributions, ExplainOptions, Matrix, Model, Predictor } from '../contract.js';
import { checkPredictInput } from '../validate.js';
import { OBJECTIVE_NAMES, objectiveNamed, type ObjectiveName } from './objectives.js';
import { addModelScores, prepareModelScores, treesOf } from './pack.js';
import { explainTrees } from './tree-shap.js';
import { explainTreesInterventional } from './tree-shap-interventional.js';
import { checkFinite, checkLength, f64, parseState, stateError } from '../state.js';
import { checkPackedTrees } from './check-state.js';

// Predict time for gbdt models, apart from gbdt.ts's fitting (which needs Node's threads): no node: module here.
const NAME = 'gbdt';
export const GBDT_FORMAT_VERSION = 1;

export const gbdtPredictor = {
  kind: NAME,
  formatVersion: GBDT_FORMAT_VERSION,
  tasks: ['binary', 'multiclass', 'regression'],

  checkState(model: Model): void {
    const s = parseState(model, z.object({ objective: z.enum(OBJECTIVE_NAMES), outputs: z.number(), initScore: f64 }));
    const K = objectiveNamed(s.objective, model.nClasses, 1).outputs;
    if (s.outputs !== K) throw stateError('outputs', `is ${s.outputs}; the '${s.objective}' objective with ${model.nClasses} classes has ${K}`);
    checkLength('initScore', s.initScore, K, ' (one per output)');
    checkFinite('initScore', s.initScore);
    const trees = checkPackedTrees(model);
    if (trees % K !== 0) throw stateError('nodeOffset', `holds ${trees} trees; expected a multiple of ${K} (one per output each round)`);
  },

  predict(model: Model, X: Matrix): Float64Array {
    checkPredictInput(model, X);
    const K = model.state['outputs'] as number;
    const init = model.state['initScore'] as Float64Array;
    const scores = new Float64Array(X.n * K);
    for (let i = 0; i < X.n; i++) for (let c = 0; c < K; c++) scores[i * K + c] = init[c]!;
    addModelScores(model, K, X.data, X.n, X.d, scores);
    const name = model.state['objective'] as string;
    return objectiveNamed(name as ObjectiveName, K, 1).transform(scores, X.n);
  },

  prepareBatch(model: Model): void {
    prepareModelScores(model, model.state['outputs'] as number);
  },

  explain(model: Model, X: Matrix, options?: ExplainOptions): Contributions {
    checkPredictInput(model, X);
    if (options?.background !== undefined) checkPredictInput(model, options.background);
    const K = model.state['outputs'] as number;
    const name = model.state['objective'] as ObjectiveName;
    // Learning rates are already in the leaf values: margins are init + Σ leaves.
    const link = name === 'binary' ? 'logistic' : name === 'multiclass' ? 'softmax' : name === 'poisson' ? 'exp' : 'identity';
    const init = model.state['initScore'] as Float64Array;
    if (options?.background !== undefined) return explainTreesInterventional(NAME, treesOf(model.state), K, init, 1, X, options.background, link);
    return explainTrees(NAME, treesOf(model.state), K, init, 1, X, link);
  },
} satisfies Predictor;
