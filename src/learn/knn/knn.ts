import { z } from 'zod';
import type { FitOptions, Learner, Matrix, Model, Task } from '../contract.js';
import { LearnError } from '../errors.js';
import { checkFinite, checkFit } from '../validate.js';
import { KNN_FORMAT_VERSION, KNN_MAX_ROWS, knnPredictor } from './knn-predict.js';

export const knnParams = z
  .object({
    n_neighbors: z.number().int().min(1).default(5).describe('how many nearest training rows vote (classification) or are averaged (regression)').meta({ search: { low: 1, high: 50, scale: 'log' } }),
    weights: z
      .enum(['uniform', 'distance'])
      .default('uniform')
      .describe("'uniform': each neighbour counts once; 'distance': by 1 / distance, and a training row at distance 0 takes the vote alone")
      .meta({ search: { values: ['uniform', 'distance'] } }),
  })
  .strict();
export type KnnParams = z.infer<typeof knnParams>;

const NAME = 'knn';

/**
 * k-nearest neighbours, as scikit-learn's KNeighborsClassifier / KNeighborsRegressor behind a StandardScaler:
 * the model keeps the training rows, standardised (each feature's mean and population standard deviation,
 * 1 for a constant feature), and predicts from the n_neighbors closest by Euclidean distance, found by exact
 * search over every row (so at most 100,000 training rows). Equal distances: the lower training row first.
 */
export const knnLearner: Learner<KnnParams> = {
  name: NAME,
  description: 'k-nearest neighbours (classification and regression): exact search, Euclidean distance on standardised features, uniform or 1/distance weights',
  params: knnParams,
  formatVersion: KNN_FORMAT_VERSION,
  // Weights are refused, not read: a weight of 2 is not a duplicated row (a duplicate takes a second
  // neighbour's place), and as a vote multiplier it would be a different model from scikit-learn's.
  capabilities: { tasks: knnPredictor.tasks, sampleWeights: false, missingValues: 'reject', explanations: 'none', singleClass: 'constant', interpretability: 'opaque' },
  // Scoring searches every training row: out-of-fold scores cost about rows² × features. Offered while that
  // fits in a tenth of auto's budget (~1 ns a multiply-add here), so it never crowds out the tree learners.
  auto: {
    rank: 5,
    candidates: (_task, rows, size) => {
      if (size === undefined || rows > 30_000 || rows * rows * size.features * 1e-9 > size.budgetSeconds / 10) return [];
      return [{ n_neighbors: Math.min(15, Math.max(1, Math.floor(rows / 10))), weights: 'distance' }, { n_neighbors: Math.min(50, Math.max(1, Math.floor(rows / 10))), weights: 'distance' }];
    },
  },

  async fit(X: Matrix, y: Float64Array, task: Task, params: KnnParams, options: FitOptions = {}): Promise<Model> {
    const started = performance.now();
    if (options.weights !== undefined) throw new LearnError(`${NAME}: sample weights are not supported (a neighbour's vote is not weighted by its row); leave them out`);
    const { k } = checkFit(NAME, this.capabilities, X, y, task, options);
    if (X.n > KNN_MAX_ROWS) {
      throw new LearnError(
        `${NAME}: ${X.n.toLocaleString('en-US')} training rows is more than the ${KNN_MAX_ROWS.toLocaleString('en-US')} it takes: the model keeps every row and each prediction searches them all, so it would be slow to score and large to store; sample the rows down, or use gbdt`,
      );
    }
    if (params.n_neighbors > X.n) throw new LearnError(`${NAME}: n_neighbors is ${params.n_neighbors} but there are only ${X.n} training rows`);
    checkFinite(X, this.capabilities, NAME);
    if (task === 'binary' && k > 2) throw new LearnError(`${NAME}: a binary task needs class codes 0 and 1, found code ${k - 1}`);

    const { n, d, data } = X;
    const mean = new Float64Array(d);
    const scale = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      let lo = Infinity;
      let hi = -Infinity;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const v = data[i * d + j]!;
        sum += v;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (lo === hi) {
        // Constant: exactly 0 after standardising (a computed mean could be off in its last bit, and a
        // tiny standard deviation would blow that rounding up to ±1).
        mean[j] = lo;
        scale[j] = 1;
        continue;
      }
      const m = sum / n;
      let ss = 0;
      for (let i = 0; i < n; i++) {
        const v = data[i * d + j]! - m;
        ss += v * v;
      }
      const sd = Math.sqrt(ss / n);
      mean[j] = m;
      scale[j] = sd > 0 ? sd : 1;
    }
    const standardised = new Float64Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) standardised[i * d + j] = (data[i * d + j]! - mean[j]!) / scale[j]!;

    return {
      kind: NAME,
      formatVersion: KNN_FORMAT_VERSION,
      task,
      nFeatures: d,
      // A multiclass y with one class present still makes a multiclass model (its other class never wins).
      nClasses: task === 'multiclass' ? Math.max(k, 2) : k,
      params: { ...params },
      state: { mean, scale, X: standardised, y: Float64Array.from(y), neighbors: params.n_neighbors, weighting: params.weights },
      training: { iterations: 0, converged: true, durationMs: performance.now() - started, finalLoss: NaN, warnings: [] },
    };
  },

  // One implementation of prediction, node-free, shared with the predict-time registry (predictors.ts).
  checkState: knnPredictor.checkState,
  predict: knnPredictor.predict,
};
