import { z } from 'zod';
import { Random } from '../../synth/random.js';
import type { FitOptions, Learner, Matrix, Model, Task } from '../contract.js';
import { LearnError, throwIfAborted, yieldToEventLoop } from '../errors.js';
import { checkMatrix } from '../validate.js';
import { layoutForest } from './forest-layout.js';
import type { FlatTree } from './tree.js';
import { TreeBuilder } from './builder.js';
import { ISOLATION_FOREST_FORMAT_VERSION, isolationForestPredictor } from './isolation-forest-predict.js';

export const isolationForestParams = z
  .object({
    n_estimators: z.number().int().min(1).default(100).describe('trees'),
    max_samples: z.number().int().min(2).default(256).describe('rows drawn (without replacement) for each tree'),
  })
  .strict();
export type IsolationForestParams = z.infer<typeof isolationForestParams>;

const NAME = 'isolation_forest';
const FORMAT_VERSION = ISOLATION_FOREST_FORMAT_VERSION;
const EULER = 0.5772156649015329;

/** Average path length of an unsuccessful search in a binary search tree of n rows (Liu, Ting & Zhou, 2008). */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER) - (2 * (n - 1)) / n;
}

/**
 * Isolation forest: each tree isolates a small random sample by random splits (a random feature, a
 * random threshold between the node's min and max) up to depth log2(max_samples). Anomalies are
 * isolated in few splits. A leaf stores its depth plus the expected remaining depth for the rows it
 * still holds; the score is 2^(−mean path length / c(max_samples)), in (0, 1]: higher is more anomalous.
 * Missing values go left at every split.
 */
export const isolationForestLearner: Learner<IsolationForestParams> = {
  name: NAME,
  description: 'isolation forest for anomaly detection: scores in [0, 1], higher is more anomalous',
  params: isolationForestParams,
  formatVersion: FORMAT_VERSION,
  capabilities: { tasks: isolationForestPredictor.tasks, sampleWeights: false, missingValues: 'native', explanations: 'tree', interpretability: 'trees', singleClass: 'constant' },

  async fit(X: Matrix, _y: Float64Array, task: Task, params: IsolationForestParams, options: FitOptions = {}): Promise<Model> {
    const started = performance.now();
    throwIfAborted(options.signal);
    if (task !== 'anomaly') throw new LearnError(`${NAME}: task '${task}' is not supported; it only scores anomalies`);
    checkMatrix(X, NAME);
    if (X.n < 2) throw new LearnError(`${NAME}: needs at least 2 rows`);
    const rng = new Random(options.seed ?? 0);
    const psi = Math.min(params.max_samples, X.n);
    const maxDepth = Math.ceil(Math.log2(psi));
    const trees: FlatTree[] = [];
    const pool = Int32Array.from({ length: X.n }, (_, i) => i);
    for (let t = 0; t < params.n_estimators; t++) {
      if (t % 16 === 0) {
        await yieldToEventLoop();
        throwIfAborted(options.signal);
      }
      // A sample without replacement: the first psi slots of a partial shuffle.
      for (let k = 0; k < psi; k++) {
        const j = k + rng.int(X.n - k);
        const tmp = pool[k]!;
        pool[k] = pool[j]!;
        pool[j] = tmp;
      }
      trees.push(isolationTree(X, pool.slice(0, psi), maxDepth, rng));
    }
    const layout = layoutForest(trees, 1);
    return {
      kind: NAME,
      formatVersion: FORMAT_VERSION,
      task,
      nFeatures: X.d,
      nClasses: 1,
      params: { ...params },
      state: {
        roots: layout.roots,
        feature: layout.feature,
        threshold: layout.threshold,
        missingRight: layout.missingRight,
        children: layout.children,
        leafValue: layout.leafValue,
        normalizer: averagePathLength(psi),
      },
      training: { iterations: trees.length, converged: true, durationMs: performance.now() - started, finalLoss: NaN, warnings: [] },
    };
  },

  // One implementation of prediction, node-free, shared with the predict-time registry (predictors.ts).
  checkState: isolationForestPredictor.checkState,
  predict: isolationForestPredictor.predict,
};

function isolationTree(X: Matrix, sample: Int32Array, maxDepth: number, rng: Random): FlatTree {
  const { d, data } = X;
  const builder = new TreeBuilder();
  const stack: [number, number, number, number, number][] = [[0, sample.length, 0, -1, 0]];
  while (stack.length > 0) {
    const [begin, end, depth, parent, side] = stack.pop()!;
    const slot = { parent, side: side as 0 | 1 };
    const size = end - begin;
    let split: { f: number; value: number } | undefined;
    if (depth < maxDepth && size > 1) {
      // Try features in random order until one is not constant on this node.
      for (let tries = 0; tries < d && split === undefined; tries++) {
        const f = rng.int(d);
        let lo = Infinity;
        let hi = -Infinity;
        for (let r = begin; r < end; r++) {
          const v = data[sample[r]! * d + f]!;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        if (hi > lo) split = { f, value: lo + rng.uniform() * (hi - lo) };
      }
    }
    if (split === undefined) {
      builder.addLeaf(slot, depth + averagePathLength(size), size);
      continue;
    }
    // Missing values go left, with the values at or below the threshold.
    const node = builder.addSplit(slot, split.f, split.value, true, size);
    let l = begin;
    for (let r = begin; r < end; r++) {
      const i = sample[r]!;
      const v = data[i * d + split.f]!;
      if (v !== v || v <= split.value) {
        sample[r] = sample[l]!;
        sample[l++] = i;
      }
    }
    stack.push([l, end, depth + 1, node, 1], [begin, l, depth + 1, node, 0]);
  }
  return builder.build();
}
