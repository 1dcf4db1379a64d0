import { z } from 'zod';
import { Random } from '../../synth/random.js';
import type { FitOptions, Learner, Matrix, Model, Task } from '../contract.js';
import { LearnError, throwIfAborted, yieldToEventLoop } from '../errors.js';
import { checkFit } from '../validate.js';
import { binSearchTable, fitBins, type BinMapper } from './binning.js';
import { availableParallelism } from 'node:os';
import { RowPool } from '../parallel/pool.js';
import { HistogramArena } from '../wasm/histogram.js';
import { growTree, type TreeLimits } from './grow.js';
import { OBJECTIVE_NAMES, objectiveNamed, type Objective, type ObjectiveName } from './objectives.js';
import { leafOf, type FlatTree } from './tree.js';
import { packTrees } from './pack.js';
import { rowWeights } from '../class-weights.js';
import { GBDT_FORMAT_VERSION, gbdtPredictor } from './gbdt-predict.js';

export const gbdtParams = z
  .object({
    objective: z.enum(['auto', 'binary', 'multiclass', 'l2', 'l1', 'huber', 'poisson']).default('auto').describe('loss; auto: binary, multiclass or l2 by task'),
    n_estimators: z.number().int().min(1).default(100).describe('boosting rounds').meta({ budget: { low: 30, high: 1000 } }),
    learning_rate: z.number().positive().max(1).default(0.1).describe('shrinkage applied to each tree').meta({ search: { low: 0.01, high: 0.3, scale: 'log' } }),
    num_leaves: z.number().int().min(2).max(131072).default(31).describe('most leaves per tree (trees grow leaf-wise)').meta({ search: { low: 7, high: 255, scale: 'log' } }),
    max_depth: z.number().int().default(-1).describe('most levels per tree; ≤ 0 for no limit'),
    min_data_in_leaf: z.number().int().min(1).default(20).describe('fewest rows in a leaf').meta({ search: { low: 5, high: 100, scale: 'log' } }),
    min_sum_hessian: z.number().min(0).default(1e-3).describe('smallest hessian sum in a leaf'),
    lambda_l2: z.number().min(0).default(0).describe('L2 penalty on leaf values').meta({ search: { low: 0.001, high: 10, scale: 'log' } }),
    min_split_gain: z.number().min(0).default(0).describe('smallest loss reduction a split must bring'),
    subsample: z.number().gt(0).max(1).default(1).describe('share of rows each tree sees (bagging)').meta({ search: { low: 0.5, high: 1 } }),
    colsample: z.number().gt(0).max(1).default(1).describe('share of features each tree may split on').meta({ search: { low: 0.5, high: 1 } }),
    max_bin: z.number().int().min(2).max(255).default(255).describe('most bins per feature (plus one for missing values)'),
    class_weight: z.union([z.literal('none'), z.literal('balanced'), z.array(z.number().min(0))]).default('none').describe("per-class weights: 'balanced' or a list by class code"),
    early_stopping_rounds: z.number().int().min(0).default(0).describe('stop when the validation loss has not improved for this many rounds (0: off)'),
    validation_fraction: z.number().gt(0).lt(1).default(0.1).describe('early stopping: share of rows held out to watch'),
    huber_delta: z.number().positive().default(1).describe('huber: where the loss turns from squared to linear'),
    monotone_constraints: z.array(z.number().int().min(-1).max(1)).default([]).describe('per feature: 1 increasing, −1 decreasing, 0 free'),
    categorical_features: z.array(z.number().int().min(0)).default([]).describe('indices of features holding category codes (0, 1, …), split by grouping categories'),
    cat_smooth: z.number().min(0).default(10).describe('categorical splits: smoothing of each category\'s mean, and the fewest rows a category needs to be grouped'),
    cat_l2: z.number().min(0).default(10).describe('categorical splits: extra L2 penalty on a grouping of categories'),
    min_data_per_group: z.number().int().min(1).default(100).describe('categorical splits: rows added to a grouping between the cuts tried'),
  })
  .strict();
export type GbdtParams = z.infer<typeof gbdtParams>;

const NAME = 'gbdt';
const FORMAT_VERSION = GBDT_FORMAT_VERSION;

function objectiveFor(task: Task, params: GbdtParams, k: number): Objective {
  const name = params.objective === 'auto' ? (task === 'binary' ? 'binary' : task === 'multiclass' ? 'multiclass' : 'l2') : params.objective;
  const classification = task === 'binary' || task === 'multiclass';
  if ((name === 'binary' || name === 'multiclass') !== classification) throw new LearnError(`${NAME}: objective '${name}' does not fit a ${task} task`);
  if (name === 'binary' && k > 2) throw new LearnError(`${NAME}: objective 'binary' needs two classes, found ${k}`);
  return objectiveNamed(name, k, params.huber_delta);
}

/** Below this many rows, gradients and score updates run on the calling thread alone. */
const SERIAL_ROWS = 50_000;
const NO_OUTPUT = new Float64Array(0);

/** Rounds for the fit on every row, per round a fold's early stopping kept: it sees more rows than the fold's fits. */
const REFIT_ROUNDS = 1.1;

/**
 * Histogram gradient-boosted trees: features binned to uint8 (missing values in a bin of their own),
 * trees grown leaf-wise on gradient/hessian histograms with the smaller child built and the larger
 * one subtracted, missing values sent down a learned default direction, optional monotone constraints.
 */
export const gbdtLearner: Learner<GbdtParams> = {
  name: NAME,
  description: 'histogram gradient-boosted trees (binary, multiclass, L2, L1, Huber and Poisson objectives)',
  params: gbdtParams,
  formatVersion: FORMAT_VERSION,
  capabilities: { tasks: gbdtPredictor.tasks, sampleWeights: true, missingValues: 'native', explanations: 'tree', interpretability: 'trees', singleClass: 'error' },
  // Three sizes, early stopping picking the rounds (small data: fewer rows a leaf, so the trees can grow at all);
  // then the learner's own defaults, and a fine-grained one.
  auto: {
    rank: 2,
    candidates: (_task, rows) => {
      const minLeaf = rows < 2000 ? 5 : 20;
      const boosted = (params: Record<string, unknown>): Record<string, unknown> => ({ n_estimators: 2000, early_stopping_rounds: 50, validation_fraction: 0.15, ...params });
      const sized = [boosted({ num_leaves: 15, learning_rate: 0.1, min_data_in_leaf: minLeaf }), boosted({ num_leaves: 31, learning_rate: 0.05, min_data_in_leaf: minLeaf, colsample: 0.8 }), boosted({ num_leaves: 7, learning_rate: 0.05, min_data_in_leaf: minLeaf, lambda_l2: 1 })];
      // Fine-grained: few rows a leaf and no guards on categories, for signal that sits in small groups (a
      // category of hundreds of levels that each mean something); the others' guards keep many noisy levels
      // (airports) from being learned by heart. Cross-validation says which the data has.
      const fine = boosted({ num_leaves: 31, learning_rate: 0.05, min_data_in_leaf: 3, lambda_l2: 1, cat_smooth: 1, cat_l2: 0, min_data_per_group: 1 });
      return [...sized, {}, fine];
    },
  },
  // Rounds picked by early stopping (or cut by a deadline) on each fold: the fit on every row takes their mean,
  // a little more for the rows it gains, and holds nothing out (xgboost.cv's practice). A single stop on 15% of a
  // small table is noisy and costs those rows.
  refitParams: (models, params) => {
    const stopped = models.some((m) => m.training.warnings.some((w) => w.startsWith('stopped at the time limit')));
    if (models.length === 0 || (Number(params['early_stopping_rounds'] ?? 0) === 0 && !stopped)) return undefined;
    const mean = models.reduce((t, m) => t + Number(m.state['bestIteration'] ?? 1), 0) / models.length;
    const { validation_fraction: _unused, ...rest } = params;
    return { ...rest, n_estimators: Math.max(1, Math.round(mean * REFIT_ROUNDS)), early_stopping_rounds: 0 };
  },

  async fit(X: Matrix, y: Float64Array, task: Task, params: GbdtParams, options: FitOptions = {}): Promise<Model> {
    const started = performance.now();
    const { k, weights, classification } = checkFit(NAME, this.capabilities, X, y, task, options);
    if (params.monotone_constraints.length > 0 && params.monotone_constraints.length !== X.d) {
      throw new LearnError(`${NAME}: monotone_constraints lists ${params.monotone_constraints.length} values for ${X.d} features`);
    }
    const objective = objectiveFor(task, params, k);
    const K = objective.outputs;
    const { n, d } = X;
    const w = rowWeights(y, k, weights, classification ? params.class_weight : 'none', NAME);
    const rng = new Random(options.seed ?? 0);

    // Rows held out for early stopping, and the rows trees learn from: whole groups when rows have them.
    const isValidation = new Uint8Array(n);
    if (options.groups !== undefined && options.groups.length !== n) throw new LearnError(`${NAME}: ${options.groups.length} groups for ${n} rows`);
    if (params.early_stopping_rounds > 0 && options.groups !== undefined) {
      const held = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        const g = options.groups[i]!;
        let v = held.get(g);
        if (v === undefined) held.set(g, (v = rng.uniform() < params.validation_fraction ? 1 : 0));
        isValidation[i] = v;
      }
    } else if (params.early_stopping_rounds > 0) for (let i = 0; i < n; i++) isValidation[i] = rng.uniform() < params.validation_fraction ? 1 : 0;
    const trainRows = rowsWhere(isValidation, 0);
    const validRows = rowsWhere(isValidation, 1);
    if (trainRows.length === 0) throw new LearnError(`${NAME}: no rows left to train on after holding out validation rows`);

    for (const f of params.categorical_features) if (f >= X.d) throw new LearnError(`${NAME}: categorical_features names feature ${f}, but X has ${X.d}`);
    // Bins, rows, gradients and weights live in WebAssembly memory shared with the worker threads, which
    // fit bins, bin rows, build histograms, take gradients and add leaf values, one kernel at a time.
    const arena = HistogramArena.allocate(n, d, K, w !== undefined, availableParallelism());
    if (w !== undefined) arena.weights!.set(w);
    // Scores and labels live in the arena too: the gradient kernel reads them in WebAssembly.
    const scores = arena.scores;
    arena.labels.set(y);
    const unitHessian = objective.constantHessian && w === undefined;
    const pool = RowPool.create(
      ['histogram', 'fit-bins', 'bin-rows', 'boost-gradients', 'boost-update', 'quantize'],
      { X: X.data, d, y: new Float64Array(0), s: undefined, k: K, arena, unitHessian },
      n,
      Math.max(d * 256 + d, 3 + 3 * params.num_leaves, 9),
    );
    let mapper: BinMapper;
    try {
      mapper = fitBins(X, params.max_bin, params.categorical_features, pool);
      arena.setBinTable(binSearchTable(mapper));
      pool.run(NO_OUTPUT, NO_OUTPUT, 0, n, 0, 'bin-rows');
    } catch (error) {
      pool.close();
      throw error;
    }
    const init = objective.initScore(pick(y, trainRows), w === undefined ? undefined : pick(w, trainRows));
    for (let i = 0; i < n; i++) for (let c = 0; c < K; c++) scores[i * K + c] = init[c]!;
    const rowsShared = arena.rows;
    // One output with bounded gradients: fixed scales for every tree, so gradients are quantized as they are computed.
    const fixedScale = K === 1 && w === undefined && objective.bounds !== undefined ? arena.fixedScale(0, unitHessian, objective.bounds) : undefined;
    const objectiveSpec = Float64Array.of(OBJECTIVE_NAMES.indexOf(objective.name as ObjectiveName), K, params.huber_delta, fixedScale === undefined ? 0 : 1, ...(fixedScale ?? []));
    const limits: TreeLimits = {
      numLeaves: params.num_leaves,
      maxDepth: params.max_depth,
      minDataInLeaf: params.min_data_in_leaf,
      minSumHessian: params.min_sum_hessian,
      lambdaL2: params.lambda_l2,
      minSplitGain: params.min_split_gain,
      learningRate: params.learning_rate,
      catSmooth: params.cat_smooth,
      catL2: params.cat_l2,
      minDataPerGroup: params.min_data_per_group,
      ...(params.monotone_constraints.length > 0 ? { monotone: Int8Array.from(params.monotone_constraints) } : {}),
    };
    const trees: FlatTree[] = [];
    const splitCount = new Float64Array(d);
    const splitGain = new Float64Array(d);
    let bestLoss = Infinity;
    let bestRound = 0;
    let stoppedEarly = false;
    let stoppedAtDeadline = 0;
    try {
      for (let round = 0; round < params.n_estimators; round++) {
        await yieldToEventLoop();
        throwIfAborted(options.signal);
        // Anytime: past the deadline, the rounds so far are the model.
        if (options.deadline !== undefined && round > 0 && performance.now() > options.deadline) {
          stoppedAtDeadline = round;
          if (validRows.length > 0) stoppedEarly = true;
          break;
        }
        // Softmax gradients are laid out class-major; the others are one block of n.
        pool.run(objectiveSpec, NO_OUTPUT, 0, n, SERIAL_ROWS, 'boost-gradients');
        const bag = params.subsample < 1 ? sampleRows(trainRows, params.subsample, rng) : trainRows;
        const features = params.colsample < 1 ? sampleFeatures(d, params.colsample, rng) : Int32Array.from({ length: d }, (_, f) => f);
        for (let c = 0; c < K; c++) {
          rowsShared.set(bag);
          const grown = growTree(
            { arena, d, mapper, offset: c * n, pool, unitHessian, quantized: fixedScale !== undefined, rows: rowsShared.subarray(0, bag.length), features },
            limits,
          );
          trees.push(grown.tree);
          for (let f = 0; f < d; f++) {
            splitCount[f] += grown.splitCount[f]!;
            splitGain[f] += grown.splitGain[f]!;
          }
          // Rows the tree was grown on: add leaf values by segment. Others (out of bag, validation): walk the tree.
          const inBag = bag.length === n;
          const L = grown.leafBegin.length;
          const update = new Float64Array(3 + 3 * L);
          update.set([c, K, L]);
          update.set(grown.leafBegin, 3);
          update.set(grown.leafEnd, 3 + L);
          update.set(grown.tree.leafValue, 3 + 2 * L);
          pool.run(update, NO_OUTPUT, 0, bag.length, SERIAL_ROWS, 'boost-update');
          if (!inBag) {
            const mark = new Uint8Array(n);
            for (const i of bag) mark[i] = 1;
            for (let i = 0; i < n; i++) if (mark[i] === 0) scores[i * K + c] += grown.tree.leafValue[leafOf(grown.tree, X.data, i * d)]!;
          }
        }
        if (validRows.length > 0) {
          const loss = objective.loss(pick(y, validRows), pickRows(scores, validRows, K), w === undefined ? undefined : pick(w, validRows));
          options.onProgress?.({ iteration: round + 1, loss });
          if (loss < bestLoss - 1e-12) {
            bestLoss = loss;
            bestRound = round + 1;
          } else if (round + 1 - bestRound >= params.early_stopping_rounds) {
            stoppedEarly = true;
            break;
          }
        } else if (options.onProgress !== undefined && (round % 10 === 9 || round === params.n_estimators - 1)) {
          options.onProgress({ iteration: round + 1, loss: objective.loss(y, scores, w) });
        }
      }
    } finally {
      pool.close();
    }
    const rounds = stoppedEarly ? bestRound : trees.length / K;
    const kept = trees.slice(0, rounds * K);
    const finalLoss = validRows.length > 0 ? bestLoss : objective.loss(y, scores, w);
    const warnings: string[] = [];
    if (stoppedAtDeadline > 0) warnings.push(`stopped at the time limit after ${stoppedAtDeadline} of ${params.n_estimators} rounds`);
    if (kept.length === 0 || kept.every((t) => t.feature.length === 0)) warnings.push('no tree found a split: the features carry no signal the limits allow (check min_data_in_leaf and the data)');
    return {
      kind: NAME,
      formatVersion: FORMAT_VERSION,
      task,
      nFeatures: d,
      nClasses: classification ? k : 1,
      params: { ...params },
      state: { objective: objective.name, outputs: K, initScore: init, ...packTrees(kept), splitCount, splitGain, bestIteration: rounds },
      training: { iterations: rounds, converged: true, durationMs: performance.now() - started, finalLoss, warnings },
    };
  },

  // One implementation of prediction, node-free, shared with the predict-time registry (predictors.ts).
  checkState: gbdtPredictor.checkState,
  predict: gbdtPredictor.predict,
  prepareBatch: gbdtPredictor.prepareBatch,
  explain: gbdtPredictor.explain,
};

function rowsWhere(flags: Uint8Array, value: number): Int32Array {
  let count = 0;
  for (let i = 0; i < flags.length; i++) if (flags[i] === value) count++;
  const out = new Int32Array(count);
  for (let i = 0, k = 0; i < flags.length; i++) if (flags[i] === value) out[k++] = i;
  return out;
}

/** a[rows[r]] for each r, with a plain loop (Float64Array.from with a mapper costs ~200 ns an element). */
function pick(a: Float64Array, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let r = 0; r < rows.length; r++) out[r] = a[rows[r]!]!;
  return out;
}

function pickRows(scores: Float64Array, rows: Int32Array, K: number): Float64Array {
  const out = new Float64Array(rows.length * K);
  for (let r = 0; r < rows.length; r++) for (let c = 0; c < K; c++) out[r * K + c] = scores[rows[r]! * K + c]!;
  return out;
}

function sampleRows(rows: Int32Array, share: number, rng: Random): Int32Array {
  const out: number[] = [];
  for (const i of rows) if (rng.uniform() < share) out.push(i);
  return Int32Array.from(out);
}

function sampleFeatures(d: number, share: number, rng: Random): Int32Array {
  const want = Math.max(1, Math.round(d * share));
  const all = Array.from({ length: d }, (_, f) => f);
  for (let i = d - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return Int32Array.from(all.slice(0, want).sort((a, b) => a - b));
}
