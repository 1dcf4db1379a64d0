import { z } from 'zod';
import type { FitOptions, Learner, Matrix, Model, Task } from '../contract.js';
import { LearnError } from '../errors.js';
import { checkFit } from '../validate.js';
import { BASELINE_FORMAT_VERSION, baselinePredictor } from './baseline-predict.js';

export const baselineParams = z
  .object({
    strategy: z
      .enum(['auto', 'prior', 'most_frequent', 'mean', 'median'])
      .default('auto')
      .describe('classification: prior (class frequencies) or most_frequent (one-hot); regression: mean or median; auto: prior or mean'),
  })
  .strict();
export type BaselineParams = z.infer<typeof baselineParams>;

const FORMAT_VERSION = BASELINE_FORMAT_VERSION;
const NAME = 'baseline';

/**
 * Doing nothing clever: predicts the (weighted) class frequencies, the majority class, the mean or the
 * median, whatever the features. Every leaderboard shows it, so a model is always compared with it.
 */
export const baselineLearner: Learner<BaselineParams> = {
  name: NAME,
  description: 'a baseline that ignores the features: class prior, most frequent class, mean or median',
  params: baselineParams,
  formatVersion: FORMAT_VERSION,
  capabilities: { tasks: baselinePredictor.tasks, sampleWeights: true, missingValues: 'ignore', explanations: 'none', interpretability: 'constant', singleClass: 'constant', reference: true },
  // What machine learning must beat: auto scores it first.
  auto: { rank: 0, candidates: () => [{}] },

  async fit(X: Matrix, y: Float64Array, task: Task, params: BaselineParams, options: FitOptions = {}): Promise<Model> {
    const started = performance.now();
    const { k, weights, classification } = checkFit(NAME, this.capabilities, X, y, task, options);
    const strategy = params.strategy === 'auto' ? (classification ? 'prior' : 'mean') : params.strategy;
    if (classification !== (strategy === 'prior' || strategy === 'most_frequent')) {
      throw new LearnError(`${NAME}: strategy '${strategy}' does not fit a ${task} task`);
    }
    let scores: Float64Array;
    if (classification) {
      const freq = new Float64Array(k);
      let total = 0;
      for (let i = 0; i < X.n; i++) {
        const w = weights ? weights[i]! : 1;
        freq[y[i]!] += w;
        total += w;
      }
      for (let c = 0; c < k; c++) freq[c] /= total;
      if (strategy === 'most_frequent') {
        let best = 0;
        for (let c = 1; c < k; c++) if (freq[c]! > freq[best]!) best = c;
        scores = new Float64Array(k);
        scores[best] = 1;
      } else scores = freq;
    } else {
      scores = Float64Array.of(strategy === 'median' ? weightedMedian(y, weights) : weightedMean(y, weights));
    }
    return {
      kind: NAME,
      formatVersion: FORMAT_VERSION,
      task,
      nFeatures: X.d,
      nClasses: classification ? k : 1,
      params: { ...params },
      state: { scores, strategy },
      training: { iterations: 1, converged: true, durationMs: performance.now() - started, finalLoss: NaN, warnings: [] },
    };
  },

  // One implementation of prediction, node-free, shared with the predict-time registry (predictors.ts).
  checkState: baselinePredictor.checkState,
  explain: baselinePredictor.explain,
  predict: baselinePredictor.predict,
};

function weightedMean(y: Float64Array, w: Float64Array | undefined): number {
  let s = 0;
  let t = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w ? w[i]! : 1;
    s += wi * y[i]!;
    t += wi;
  }
  return s / t;
}

/** The value where the cumulative weight first reaches half; the midpoint of the two middle values when it lands exactly between them. */
function weightedMedian(y: Float64Array, w: Float64Array | undefined): number {
  const order = Array.from(y.keys()).filter((i) => (w ? w[i]! > 0 : true)).sort((a, b) => y[a]! - y[b]!);
  const total = order.reduce((s, i) => s + (w ? w[i]! : 1), 0);
  let acc = 0;
  for (let r = 0; r < order.length; r++) {
    acc += w ? w[order[r]!]! : 1;
    if (acc > total / 2) return y[order[r]!]!;
    if (acc === total / 2) return (y[order[r]!]! + y[order[r + 1]!]!) / 2;
  }
  return y[order[order.length - 1]!]!;
}
