import { z } from 'zod';
import type { FitOptions, Learner, Matrix, Model, Task } from '../contract.js';
import { LearnError } from '../errors.js';
import { stratifiedFolds } from '../folds.js';
import { rowWeights } from '../class-weights.js';
import { minimize, type MinimizeResult } from '../optim/minimize.js';
import { subsampledNewton } from './logistic-newton.js';
import { checkFinite, checkFit } from '../validate.js';
import { RowPool, shareForThreads } from '../parallel/pool.js';
import type { LossData } from './logistic-loss.js';
import { columnMeans } from './contributions.js';
import { LOGISTIC_FORMAT_VERSION, logisticPredictor, predictProba } from './logistic-predict.js';

export const logisticParams = z
  .object({
    penalty: z.enum(['l2', 'l1', 'elasticnet', 'none']).default('l2').describe('regularisation: l2 (L-BFGS), l1 or elasticnet (OWL-QN), or none'),
    C: z.number().positive().default(1).describe('inverse regularisation strength, as in scikit-learn: C × Σ loss + penalty').meta({ search: { low: 0.001, high: 100, scale: 'log' } }),
    l1_ratio: z.number().min(0).max(1).default(0.5).describe('elasticnet only: share of the penalty that is L1'),
    class_weight: z
      .union([z.literal('none'), z.literal('balanced'), z.array(z.number().min(0))])
      .default('none')
      .describe("per-class weights: 'balanced' weighs each class by n / (k × its count), or a list by class code"),
    cv: z.number().int().min(0).default(0).describe('if ≥ 2, choose C by this many stratified folds on log loss (like LogisticRegressionCV)'),
    Cs: z.union([z.number().int().min(1), z.array(z.number().positive())]).default(10).describe('cv only: a count of C values on logspace(-4, 4), or the values'),
    max_iter: z.number().int().min(1).default(1000).describe('most optimizer iterations'),
    tol: z.number().positive().default(1e-6).describe('stop when the largest gradient component of the mean loss is below tol'),
  })
  .strict();
export type LogisticParams = z.infer<typeof logisticParams>;

const FORMAT_VERSION = LOGISTIC_FORMAT_VERSION;
const NAME = 'logistic';
/** Also stop when an iteration improves the objective by less than this, relative: well below any metric's noise. */
const FTOL = 1e-10;

interface Problem {
  data: LossData;
  n: number;
  d: number;
  /** Classes; binary problems use one score (k = 2, one weight vector). */
  k: number;
  multinomial: boolean;
  sumWeights: number;
}

/**
 * Logistic regression, binary or multinomial, minimizing scikit-learn's objective
 * C Σ sᵢ ℓᵢ + penalty (the intercept unpenalized), scaled by 1/(C Σ sᵢ) so tolerances mean the same at
 * any data size: L-BFGS for L2 or no penalty, OWL-QN for L1 and elastic-net.
 */
export const logisticLearner: Learner<LogisticParams> = {
  name: NAME,
  description: 'logistic regression (binary and multinomial) with L2, L1 or elastic-net penalties, class weights and built-in CV of C',
  params: logisticParams,
  formatVersion: FORMAT_VERSION,
  capabilities: { tasks: logisticPredictor.tasks, sampleWeights: true, missingValues: 'reject', explanations: 'linear', interpretability: 'additive', singleClass: 'error' },
  // Three penalties, the default first.
  auto: { rank: 1, candidates: () => [1, 0.1, 10].map((C) => ({ C, tol: 1e-4, max_iter: 500 })) },

  async fit(X: Matrix, y: Float64Array, task: Task, params: LogisticParams, options: FitOptions = {}): Promise<Model> {
    const started = performance.now();
    const { k, weights } = checkFit(NAME, this.capabilities, X, y, task, options);
    checkFinite(X, this.capabilities, NAME);
    if (task === 'binary' && k > 2) throw new LearnError(`${NAME}: a binary task needs class codes 0 and 1, found code ${k - 1}`);
    const s = rowWeights(y, k, weights, params.class_weight, NAME);
    const problem: Problem = { data: { X: X.data, d: X.d, y, s }, n: X.n, d: X.d, k, multinomial: k > 2, sumWeights: sum(s, X.n) };
    problem.data = shareForThreads(problem.data, X.n);

    let C = params.C;
    let cvScores: Float64Array | undefined;
    let grid: number[] | undefined;
    if (params.cv >= 2) {
      grid = typeof params.Cs === 'number' ? logspace(-4, 4, params.Cs) : [...params.Cs];
      cvScores = await crossValidate(X, y, k, weights, params, grid, options);
      let best = 0;
      for (let i = 1; i < grid.length; i++) if (cvScores[i]! < cvScores[best]!) best = i;
      C = grid[best]!;
    }
    const result = await solve(problem, params, C, undefined, options);
    const warnings: string[] = [];
    if (!result.converged) warnings.push(`the optimizer did not converge in ${params.max_iter} iterations; raise max_iter, or scale the features`);
    const { coef, intercept } = unpack(result.x, problem);
    return {
      kind: NAME,
      formatVersion: FORMAT_VERSION,
      task,
      nFeatures: X.d,
      nClasses: k,
      params: { ...params },
      // xMean: the training means, the reference its explanations measure each feature against.
      state: { coef, intercept, C, xMean: columnMeans(X, weights), ...(cvScores && grid ? { cvGrid: Float64Array.from(grid), cvLogLoss: cvScores } : {}) },
      training: { iterations: result.iterations, evaluations: result.evaluations, converged: result.converged, durationMs: performance.now() - started, finalLoss: result.f, warnings },
    };
  },

  // One implementation of prediction, node-free, shared with the predict-time registry (predictors.ts).
  checkState: logisticPredictor.checkState,
  explain: logisticPredictor.explain,
  predict: logisticPredictor.predict,
};

/** Rows above which a fit starts from the optimum of a subsample: each level costs 1/8 of the next. */
const STAGE_ROWS = 200_000;
const STAGE_STRIDE = 8;
/** Above this many parameters, a Newton step's d² work outweighs L-BFGS's extra passes. */
const MAX_NEWTON_PARAMS = 400;

/**
 * Solves on every 8th row first (recursively, with the penalty rescaled so it weighs the same against
 * the mean loss), then warm-starts the full problem from there. The subsample's optimum is within its
 * sampling noise of the full one, so the full-data iterations, which dominate, drop by about half.
 */
async function solve(problem: Problem, params: LogisticParams, C: number, warm: Float64Array | undefined, options: FitOptions, tol = params.tol): Promise<MinimizeResult> {
  if (warm === undefined && problem.n >= STAGE_ROWS && !usesNewton(problem, params)) {
    const sub = everyNthRow(problem, STAGE_STRIDE);
    const staged = await solve(sub, params, (C * problem.sumWeights) / sub.sumWeights, undefined, options, Math.max(tol, 1e-4));
    warm = staged.x;
  }
  return solveOnce(problem, params, C, warm, options, tol);
}

/** Newton for smooth penalties while the Hessian is small; L-BFGS or OWL-QN otherwise. */
function usesNewton(problem: Problem, params: LogisticParams): boolean {
  const nParams = problem.multinomial ? problem.k * (problem.d + 1) : problem.d + 1;
  return (params.penalty === 'l2' || params.penalty === 'none') && nParams <= MAX_NEWTON_PARAMS;
}

function everyNthRow(problem: Problem, stride: number): Problem {
  const { data, n, d } = problem;
  const m = Math.ceil(n / stride);
  const X = new Float64Array(m * d);
  const y = new Float64Array(m);
  const s = data.s === undefined ? undefined : new Float64Array(m);
  for (let r = 0; r < m; r++) {
    const i = r * stride;
    for (let j = 0; j < d; j++) X[r * d + j] = data.X[i * d + j]!;
    y[r] = data.y[i]!;
    if (s !== undefined) s[r] = data.s![i]!;
  }
  return { ...problem, data: { X, d, y, s }, n: m, sumWeights: sum(s, m) };
}

async function solveOnce(problem: Problem, params: LogisticParams, C: number, warm: Float64Array | undefined, options: FitOptions, tol: number) {
  const { d, k, multinomial, sumWeights } = problem;
  const nCoef = multinomial ? k * d : d;
  const nParams = nCoef + (multinomial ? k : 1);
  const scale = 1 / sumWeights;
  const l2 = params.penalty === 'l2' ? 1 / (C * sumWeights) : params.penalty === 'elasticnet' ? (1 - params.l1_ratio) / (C * sumWeights) : 0;
  const l1Strength = params.penalty === 'l1' ? 1 / (C * sumWeights) : params.penalty === 'elasticnet' ? params.l1_ratio / (C * sumWeights) : 0;
  const pool = RowPool.create(multinomial ? 'multinomial-loss' : 'binary-loss', { ...problem.data, k }, problem.n, nParams);
  const objective = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    const loss = pool.run(theta, grad, 0, problem.n);
    let penalty = 0;
    for (let j = 0; j < nParams; j++) grad[j] *= scale;
    if (l2 > 0) {
      for (let j = 0; j < nCoef; j++) {
        penalty += theta[j]! * theta[j]!;
        grad[j] += l2 * theta[j]!;
      }
    }
    return loss * scale + 0.5 * l2 * penalty;
  };
  let l1: Float64Array | undefined;
  if (l1Strength > 0) {
    l1 = new Float64Array(nParams);
    l1.fill(l1Strength, 0, nCoef);
  }
  const x0 = warm ?? priorStart(problem, nParams, nCoef);
  const progress = options.onProgress !== undefined ? { onIteration: (iteration: number, loss: number) => options.onProgress!({ iteration, loss }) } : {};
  const signal = options.signal !== undefined ? { signal: options.signal } : {};
  try {
    if (usesNewton(problem, params)) {
      const newtonProblem = { data: problem.data, n: problem.n, d, k, multinomial, l2, sumWeights };
      return await subsampledNewton(newtonProblem, objective, x0, { maxIter: params.max_iter, gtol: tol, ftol: Math.min(FTOL, tol * tol), ...signal, ...progress });
    }
    return await minimize(objective, x0, { maxIter: params.max_iter, gtol: tol, ftol: Math.min(FTOL, tol * tol), ...(l1 !== undefined ? { l1 } : {}), ...signal, ...progress });
  } finally {
    pool.close();
  }
}

/** Zero coefficients and the intercepts of the class prior: the best start that ignores the features. */
function priorStart(problem: Problem, nParams: number, nCoef: number): Float64Array {
  const { data, n, k, multinomial } = problem;
  const freq = new Float64Array(k);
  for (let i = 0; i < n; i++) freq[data.y[i]!] += data.s === undefined ? 1 : data.s[i]!;
  const x0 = new Float64Array(nParams);
  const total = freq.reduce((a, b) => a + b, 0);
  const logit = (p: number): number => Math.log(Math.min(Math.max(p, 1e-12), 1));
  if (multinomial) for (let c = 0; c < k; c++) x0[nCoef + c] = logit(freq[c]! / total);
  else x0[nCoef] = logit(freq[1]! / total) - logit(freq[0]! / total);
  return x0;
}

function unpack(theta: Float64Array, problem: Problem): { coef: Float64Array; intercept: Float64Array } {
  const { d, k, multinomial } = problem;
  const nCoef = multinomial ? k * d : d;
  return { coef: theta.slice(0, nCoef), intercept: theta.slice(nCoef) };
}


function sum(s: Float64Array | undefined, n: number): number {
  if (s === undefined) return n;
  let t = 0;
  for (let i = 0; i < n; i++) t += s[i]!;
  return t;
}

export function logspace(from: number, to: number, count: number): number[] {
  if (count === 1) return [10 ** from];
  return Array.from({ length: count }, (_, i) => 10 ** (from + ((to - from) * i) / (count - 1)));
}

/** Mean held-out log loss for each C, over stratified folds; each fold walks the grid with warm starts. */
async function crossValidate(X: Matrix, y: Float64Array, k: number, weights: Float64Array | undefined, params: LogisticParams, grid: number[], options: FitOptions): Promise<Float64Array> {
  const folds = stratifiedFolds(y, params.cv);
  const scores = new Float64Array(grid.length);
  for (let f = 0; f < params.cv; f++) {
    const trainRows: number[] = [];
    const testRows: number[] = [];
    for (let i = 0; i < y.length; i++) (folds[i] === f ? testRows : trainRows).push(i);
    const train = takeRows(X, y, weights, trainRows);
    const test = takeRows(X, y, weights, testRows);
    const s = rowWeights(train.y, k, train.weights, params.class_weight, NAME);
    const problem: Problem = { data: { X: train.X.data, d: X.d, y: train.y, s }, n: train.X.n, d: X.d, k, multinomial: k > 2, sumWeights: sum(s, train.X.n) };
    let warm: Float64Array | undefined;
    for (let g = 0; g < grid.length; g++) {
      const result = await solve(problem, params, grid[g]!, warm, options);
      warm = result.x;
      const { coef, intercept } = unpack(result.x, problem);
      scores[g] += heldOutLogLoss(test.X, test.y, test.weights, coef, intercept, k) / params.cv;
    }
  }
  return scores;
}

function heldOutLogLoss(X: Matrix, y: Float64Array, weights: Float64Array | undefined, coef: Float64Array, intercept: Float64Array, k: number): number {
  const p = predictProba(X, coef, intercept, k);
  let loss = 0;
  let total = 0;
  for (let i = 0; i < X.n; i++) {
    const w = weights ? weights[i]! : 1;
    loss -= w * Math.log(Math.max(p[i * k + y[i]!]!, 1e-15));
    total += w;
  }
  return loss / total;
}

function takeRows(X: Matrix, y: Float64Array, weights: Float64Array | undefined, rows: number[]): { X: Matrix; y: Float64Array; weights: Float64Array | undefined } {
  const d = X.d;
  const data = new Float64Array(rows.length * d);
  rows.forEach((r, i) => data.set(X.data.subarray(r * d, (r + 1) * d), i * d));
  return { X: { data, n: rows.length, d }, y: Float64Array.from(rows, (r) => y[r]!), weights: weights ? Float64Array.from(rows, (r) => weights[r]!) : undefined };
}
