import { z } from 'zod';
import type { FitOptions, Learner, Matrix, Model, Task } from '../contract.js';
import { LearnError, throwIfAborted, yieldToEventLoop } from '../errors.js';
import { choleskySolve, pseudoInverseSolve } from '../linalg.js';
import { checkFinite, checkMatrix, checkTarget, checkWeights } from '../validate.js';
import { centeredGram, type CenteredGram } from './gram.js';
import { LINEAR_FORMAT_VERSION, linearPredictor } from './linear-predict.js';

export const linearParams = z
  .object({
    penalty: z.enum(['none', 'l2', 'l1', 'elasticnet']).default('l2').describe('none: ordinary least squares; l2: ridge; l1: lasso; elasticnet: both'),
    alpha: z.number().min(0).default(1).describe('penalty strength, as in scikit-learn: Ridge sums squared errors, Lasso and ElasticNet average them').meta({ search: { low: 0.001, high: 100, scale: 'log' } }),
    l1_ratio: z.number().min(0).max(1).default(0.5).describe('elasticnet only: share of the penalty that is L1'),
    max_iter: z.number().int().min(1).default(100_000).describe('l1/elasticnet: most coordinate-descent sweeps'),
    tol: z.number().positive().default(1e-10).describe('l1/elasticnet: stop when no coefficient moves more than tol × the largest'),
  })
  .strict();
export type LinearParams = z.infer<typeof linearParams>;

const FORMAT_VERSION = LINEAR_FORMAT_VERSION;

/**
 * Linear regression by exact solvers on the centered normal equations: Cholesky (or the minimum-norm
 * solution when X is rank-deficient) for OLS and ridge, coordinate descent on the Gram matrix for lasso
 * and elastic-net. The intercept is never penalized. One pass over the data builds the d × d system.
 */
export const linearLearner: Learner<LinearParams> = {
  name: 'linear',
  description: 'linear regression: ordinary least squares, ridge, lasso or elastic-net, with intercept',
  params: linearParams,
  formatVersion: FORMAT_VERSION,
  capabilities: { tasks: linearPredictor.tasks, sampleWeights: true, missingValues: 'reject', explanations: 'linear', interpretability: 'additive', singleClass: 'constant' },
  // Three penalties, the default first.
  auto: { rank: 1, candidates: () => [1, 10, 0.1].map((alpha) => ({ alpha })) },

  async fit(X: Matrix, y: Float64Array, task: Task, params: LinearParams, options: FitOptions = {}): Promise<Model> {
    const started = performance.now();
    throwIfAborted(options.signal);
    if (task !== 'regression') throw new LearnError(`linear: task '${task}' is not supported; use logistic for classification`);
    checkMatrix(X, 'linear');
    checkTarget(y, X.n, task, 'linear');
    const weights = checkWeights(options.weights, X.n, 'linear');
    // NaN/∞ in X is found from the sums; only then is X scanned to name the cell.
    const gram = await centeredGram(X, y, weights, options.signal, () => checkFinite(X, this.capabilities, 'linear'));
    const warnings: string[] = [];
    let coef: Float64Array;
    let iterations = 1;
    let converged = true;
    if (params.penalty === 'none' || params.penalty === 'l2') {
      const alpha = params.penalty === 'l2' ? params.alpha : 0;
      const A = gram.G.slice();
      for (let j = 0; j < X.d; j++) A[j * X.d + j] += alpha;
      const solved = choleskySolve(A, gram.c, X.d);
      if (solved === undefined) warnings.push('the features are collinear (or constant); using the minimum-norm least-squares solution');
      coef = solved ?? pseudoInverseSolve(A, gram.c, X.d);
    } else {
      const l1Ratio = params.penalty === 'l1' ? 1 : params.l1_ratio;
      const result = await coordinateDescent(gram, X.d, params.alpha, l1Ratio, params.max_iter, params.tol, options);
      coef = result.coef;
      iterations = result.sweeps;
      converged = result.converged;
      if (!converged) warnings.push(`coordinate descent did not converge in ${params.max_iter} sweeps; raise max_iter or alpha`);
    }
    let intercept = gram.yMean;
    for (let j = 0; j < X.d; j++) intercept -= gram.xMean[j]! * coef[j]!;
    const finalLoss = objective(gram, coef, params);
    options.onProgress?.({ iteration: iterations, loss: finalLoss });
    return {
      kind: 'linear',
      formatVersion: FORMAT_VERSION,
      task,
      nFeatures: X.d,
      nClasses: 1,
      params: { ...params },
      // The training means: the reference its explanations measure each feature against.
      state: { coef, intercept, xMean: gram.xMean },
      training: { iterations, converged, durationMs: performance.now() - started, finalLoss, warnings },
    };
  },

  // One implementation of prediction, node-free, shared with the predict-time registry (predictors.ts).
  checkState: linearPredictor.checkState,
  explain: linearPredictor.explain,
  predict: linearPredictor.predict,
};

/** The objective scikit-learn minimizes for this penalty, at `coef` (intercept profiled out). */
function objective(g: CenteredGram, coef: Float64Array, params: LinearParams): number {
  const d = coef.length;
  let quad = 0;
  let lin = 0;
  let l1 = 0;
  let l2 = 0;
  for (let j = 0; j < d; j++) {
    let gw = 0;
    for (let k = 0; k < d; k++) gw += g.G[j * d + k]! * coef[k]!;
    quad += coef[j]! * gw;
    lin += coef[j]! * g.c[j]!;
    l1 += Math.abs(coef[j]!);
    l2 += coef[j]! * coef[j]!;
  }
  const rss = Math.max(0, g.yy - 2 * lin + quad);
  switch (params.penalty) {
    case 'none':
      return rss;
    case 'l2':
      return rss + params.alpha * l2;
    case 'l1':
      return rss / (2 * g.sumWeights) + params.alpha * l1;
    case 'elasticnet':
      return rss / (2 * g.sumWeights) + params.alpha * params.l1_ratio * l1 + 0.5 * params.alpha * (1 - params.l1_ratio) * l2;
  }
}

/**
 * Cyclic coordinate descent for (1/2S)‖y − Xw‖² + αρ‖w‖₁ + α(1−ρ)/2 ‖w‖², on the Gram matrix: each
 * coordinate update costs O(d), so a sweep is O(d²) whatever the number of rows.
 */
async function coordinateDescent(
  g: CenteredGram,
  d: number,
  alpha: number,
  l1Ratio: number,
  maxSweeps: number,
  tol: number,
  options: FitOptions,
): Promise<{ coef: Float64Array; sweeps: number; converged: boolean }> {
  const S = g.sumWeights;
  const coef = new Float64Array(d);
  // Gw[j] = (G w)_j, kept current as coefficients change.
  const Gw = new Float64Array(d);
  const l1 = alpha * l1Ratio;
  const l2 = alpha * (1 - l1Ratio);
  for (let sweep = 1; sweep <= maxSweeps; sweep++) {
    if ((sweep & 1023) === 0) {
      await yieldToEventLoop();
      throwIfAborted(options.signal);
    }
    let maxChange = 0;
    let maxCoef = 0;
    for (let j = 0; j < d; j++) {
      const gjj = g.G[j * d + j]!;
      const old = coef[j]!;
      if (gjj <= 0) {
        coef[j] = 0;
      } else {
        const rho = (g.c[j]! - Gw[j]! + gjj * old) / S;
        const next = softThreshold(rho, l1) / (gjj / S + l2);
        coef[j] = next;
      }
      const delta = coef[j]! - old;
      if (delta !== 0) {
        for (let k = 0; k < d; k++) Gw[k] += g.G[k * d + j]! * delta;
        maxChange = Math.max(maxChange, Math.abs(delta));
      }
      maxCoef = Math.max(maxCoef, Math.abs(coef[j]!));
    }
    if (maxChange <= tol * Math.max(maxCoef, 1e-300) || maxChange === 0) return { coef, sweeps: sweep, converged: true };
  }
  return { coef, sweeps: maxSweeps, converged: false };
}

function softThreshold(x: number, t: number): number {
  return x > t ? x - t : x < -t ? x + t : 0;
}
