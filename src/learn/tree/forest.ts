import { z } from 'zod';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FitOptions, Learner, Matrix, Model, Task } from '../contract.js';
import { LearnError, TrainingAborted, throwIfAborted, yieldToEventLoop } from '../errors.js';
import { toShared } from '../parallel/pool.js';
import { growForestTree, treeSeed, type ForestJob, type ForestTreeResult } from './forest-tree.js';
import { checkMatrix, checkTarget, checkWeights, presentClasses } from '../validate.js';
import { binMatrix, fitBins } from './binning.js';
import { packTrees } from './pack.js';
import { classWeights } from '../class-weights.js';
import { FOREST_FORMAT_VERSION, forestPredictor } from './forest-predict.js';
import { leafOf, type FlatTree } from './tree.js';

export const forestParams = z
  .object({
    n_estimators: z.number().int().min(1).default(100).describe('trees').meta({ budget: { low: 20, high: 500 } }),
    max_features: z
      .union([z.enum(['auto', 'sqrt', 'log2', 'all']), z.number().gt(0).max(1)])
      .default('auto')
      .describe('features tried per split: sqrt, log2, all, or a share; auto is sqrt for classification, all for regression'),
    max_depth: z.number().int().default(-1).describe('most levels per tree; ≤ 0 grows trees fully'),
    min_samples_leaf: z.number().int().min(1).default(1).describe('fewest (weighted) rows in a leaf').meta({ search: { low: 1, high: 20, scale: 'log' } }),
    bootstrap: z.boolean().default(true).describe('draw each tree’s rows with replacement'),
    max_bin: z.number().int().min(2).max(255).default(255).describe('most bins per feature'),
    class_weight: z.union([z.literal('none'), z.literal('balanced'), z.array(z.number().min(0))]).default('none').describe("per-class weights: 'balanced' or a list by class code"),
  })
  .strict();
export type ForestParams = z.infer<typeof forestParams>;

const NAME = 'forest';
const FORMAT_VERSION = FOREST_FORMAT_VERSION;

/**
 * Random forest on binned features: bootstrap rows, a random subset of features at every split, fully
 * grown trees (depth-first, Gini via the variance of the 0/1 label, or squared error), leaves holding the
 * mean, predictions averaged. Rows left out of a tree's bootstrap give the out-of-bag score.
 */
export const forestLearner: Learner<ForestParams> = {
  name: NAME,
  description: 'random forest (classification and regression) with bootstrap, max_features and an out-of-bag score',
  params: forestParams,
  formatVersion: FORMAT_VERSION,
  capabilities: { tasks: forestPredictor.tasks, sampleWeights: true, missingValues: 'native', explanations: 'tree', interpretability: 'trees', singleClass: 'constant' },
  auto: { rank: 3, candidates: () => [{ n_estimators: 300 }] },

  async fit(X: Matrix, y: Float64Array, task: Task, params: ForestParams, options: FitOptions = {}): Promise<Model> {
    const started = performance.now();
    throwIfAborted(options.signal);
    if (task !== 'binary' && task !== 'multiclass' && task !== 'regression') throw new LearnError(`${NAME}: task '${task}' is not supported`);
    checkMatrix(X, NAME);
    const found = checkTarget(y, X.n, task, NAME);
    if (task === 'binary' && found > 2) throw new LearnError(`${NAME}: a binary task needs class codes 0 and 1, found ${found - 1}`);
    const weights = checkWeights(options.weights, X.n, NAME);
    const { n, d } = X;
    const classification = task !== 'regression';
    // Classes: 2 for binary (the 0/1 label's variance is Gini), k for multiclass (one-hot variances).
    const k = task === 'binary' ? 2 : task === 'multiclass' ? Math.max(found, 2) : 1;
    const K = k > 2 ? k : 1;
    const classWeighted = classification ? classWeights(y, k, params.class_weight, NAME) : undefined;
    const base = new Float64Array(n);
    for (let i = 0; i < n; i++) base[i] = (weights ? weights[i]! : 1) * (classWeighted ? classWeighted[y[i]!]! : 1);
    const maxFeatures = featuresPerSplit(params.max_features, d, classification);
    const mapper = fitBins(X, params.max_bin);
    const bins = binMatrix(X, mapper);
    const job: ForestJob = { bins: toShared(bins), n, d, mapper, y: toShared(y), classes: K > 1 ? K : 0, base: toShared(base), bootstrap: params.bootstrap, limits: { maxDepth: params.max_depth, minSamplesLeaf: params.min_samples_leaf, maxFeatures } };
    const seeds = Array.from({ length: params.n_estimators }, (_, t) => treeSeed(options.seed ?? 0, t));
    const results = await growAll(job, seeds, options);
    const trees: FlatTree[] = [];
    const splitCount = new Float64Array(d);
    const splitGain = new Float64Array(d);
    const oobSum = new Float64Array(n * K);
    const oobCount = new Float64Array(n);
    for (const grown of results) {
      // Multiclass: one tree per class sharing the structure, each holding that class's leaf shares;
      // prediction sums tree t into output t mod K, as boosting's softmax trees do.
      const perClass = K > 1 ? Array.from({ length: K }, (_, c) => ({ ...grown.tree, leafValue: grown.leafClasses!.filter((_, j) => j % K === c) })) : [grown.tree];
      trees.push(...perClass);
      for (let f = 0; f < d; f++) {
        splitCount[f] += grown.splitCount[f]!;
        splitGain[f] += grown.splitGain[f]!;
      }
      if (!params.bootstrap) continue;
      for (let i = 0; i < n; i++) {
        if (grown.inBag[i] === 1) continue;
        const leaf = leafOf(grown.tree, X.data, i * d);
        for (let c = 0; c < K; c++) oobSum[i * K + c] += perClass[c]!.leafValue[leaf]!;
        oobCount[i]++;
      }
    }
    const oob = params.bootstrap ? oobScore(y, oobSum, oobCount, classification, K) : NaN;
    const warnings: string[] = [];
    if (classification && presentClasses(y, 2, weights) < 2) warnings.push('y has a single class: every tree predicts it');
    return {
      kind: NAME,
      formatVersion: FORMAT_VERSION,
      task,
      nFeatures: d,
      nClasses: classification ? k : 1,
      params: { ...params },
      state: { ...packTrees(trees), outputs: K, splitCount, splitGain, oobScore: oob, oobMetric: classification ? 'accuracy' : 'r2' },
      training: { iterations: trees.length, converged: true, durationMs: performance.now() - started, finalLoss: NaN, warnings },
    };
  },

  // One implementation of prediction, node-free, shared with the predict-time registry (predictors.ts).
  checkState: forestPredictor.checkState,
  prepareBatch: forestPredictor.prepareBatch,
  explain: forestPredictor.explain,
  predict: forestPredictor.predict,
};

/** Below this many values of X, starting workers costs more than it saves. */
const MIN_VALUES_FOR_WORKERS = 500_000;

/**
 * Grows every tree: on worker threads (each takes the next tree when it finishes one) when the data is
 * big enough and the compiled worker exists, else here, yielding between trees. Each tree has its own
 * seed, so the forest is the same either way.
 */
async function growAll(job: ForestJob, seeds: number[], options: FitOptions): Promise<ForestTreeResult[]> {
  const workerFile = new URL('./forest-worker.js', import.meta.url);
  const threads = Math.min(availableParallelism(), seeds.length);
  const results: ForestTreeResult[] = new Array(seeds.length);
  if (threads < 2 || job.n * job.d < MIN_VALUES_FOR_WORKERS || !existsSync(fileURLToPath(workerFile))) {
    for (let t = 0; t < seeds.length; t++) {
      await yieldToEventLoop();
      throwIfAborted(options.signal);
      results[t] = growForestTree(job, seeds[t]!);
      if (t % 10 === 9) options.onProgress?.({ iteration: t + 1, loss: NaN });
    }
    return results;
  }
  throwIfAborted(options.signal);
  const workers = Array.from({ length: threads }, () => new Worker(workerFile, { workerData: job }));
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let done = 0;
      const onAbort = (): void => reject(new TrainingAborted());
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const give = (worker: Worker): void => {
        if (next >= seeds.length) return;
        const t = next++;
        worker.postMessage({ t, seed: seeds[t] });
      };
      for (const worker of workers) {
        worker.on('message', (message: { t: number; result: ForestTreeResult }) => {
          results[message.t] = message.result;
          done++;
          if (done % 10 === 0) options.onProgress?.({ iteration: done, loss: NaN });
          if (done === seeds.length) {
            options.signal?.removeEventListener('abort', onAbort);
            resolve();
          } else give(worker);
        });
        worker.on('error', reject);
        give(worker);
      }
    });
  } finally {
    for (const worker of workers) void worker.terminate();
  }
  return results;
}

function featuresPerSplit(setting: ForestParams['max_features'], d: number, classification: boolean): number {
  const choice = setting === 'auto' ? (classification ? 'sqrt' : 'all') : setting;
  const m = choice === 'sqrt' ? Math.sqrt(d) : choice === 'log2' ? Math.log2(d) : choice === 'all' ? d : d * choice;
  return Math.min(d, Math.max(1, Math.floor(m)));
}


/** Accuracy (classification) or R² (regression) of the out-of-bag predictions, over rows that had any. */
function oobScore(y: Float64Array, sum: Float64Array, count: Float64Array, classification: boolean, K: number): number {
  let m = 0;
  let correct = 0;
  let mean = 0;
  for (let i = 0; i < y.length; i++) {
    if (count[i] === 0) continue;
    m++;
    mean += y[i]!;
    if (!classification) continue;
    let predicted: number;
    if (K > 1) {
      predicted = 0;
      for (let c = 1; c < K; c++) if (sum[i * K + c]! > sum[i * K + predicted]!) predicted = c;
    } else predicted = sum[i]! / count[i]! >= 0.5 ? 1 : 0;
    if (predicted === y[i]) correct++;
  }
  if (m === 0) return NaN;
  if (classification) return correct / m;
  mean /= m;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < y.length; i++) {
    if (count[i] === 0) continue;
    ssRes += (y[i]! - sum[i]! / count[i]!) ** 2;
    ssTot += (y[i]! - mean) ** 2;
  }
  return 1 - ssRes / ssTot;
}
