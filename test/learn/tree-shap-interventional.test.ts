import { describe, expect, it } from 'vitest';
import type { Contributions, Matrix, Model, Task } from '../../src/learn/contract.js';
import { LearnError } from '../../src/learn/errors.js';
import { fit, getLearner, predict } from '../../src/learn/registry.js';
import { unpackTrees } from '../../src/learn/tree/pack.js';
import { categoryGoesLeft, type FlatTree } from '../../src/learn/tree/tree.js';
import { Random } from '../../src/synth/random.js';

const D = 6;
/** Column 5 holds category codes 0–5; columns 1 and 2 are missing in ~15% of rows. */
function data(n: number, task: Task, seed: number): { X: Matrix; y: Float64Array } {
  const rng = new Random(seed);
  const X = new Float64Array(n * D);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = X.subarray(i * D, (i + 1) * D);
    for (let j = 0; j < 5; j++) r[j] = rng.normal();
    r[5] = rng.int(6);
    const s = r[0]! + 0.8 * r[1]! * r[2]! - 0.6 * r[3]! + (r[5]! % 2 === 0 ? 0.9 : -0.5) + 0.3 * rng.normal();
    if (task === 'binary') y[i] = s > 0.2 ? 1 : 0;
    else if (task === 'multiclass') y[i] = s < -0.5 ? 0 : s < 0.8 ? 1 : 2;
    else y[i] = s;
    for (const j of [1, 2]) if (rng.uniform() < 0.15) r[j] = NaN;
  }
  return { X: { data: X, n, d: D }, y };
}

/** The tree's leaf value for a row, walked node by node. */
function leafValue(t: FlatTree, x: Float64Array): number {
  if (t.feature.length === 0) return t.leafValue[0]!;
  let node = 0;
  for (;;) {
    const v = x[t.feature[node]!]!;
    const left = t.isCategorical !== undefined && t.isCategorical[node] === 1 ? categoryGoesLeft(t.catBits!, node, v) : v !== v ? t.defaultLeft[node] === 1 : v <= t.threshold[node]!;
    const next = left ? t.left[node]! : t.right[node]!;
    if (next < 0) return t.leafValue[~next]!;
    node = next;
  }
}

interface Ensemble {
  trees: FlatTree[];
  outputs: number;
  init: Float64Array;
  scale: number;
}

/** The model's margins (one per output) at a row: init + scale × Σ leaf values of each output's trees. */
function marginAt(e: Ensemble, x: Float64Array): Float64Array {
  const m = Float64Array.from(e.init);
  e.trees.forEach((t, k) => (m[k % e.outputs] += e.scale * leafValue(t, x)));
  return m;
}

/**
 * Exact interventional Shapley values by enumerating every subset S of the D features: value(S) is the
 * mean over background rows z of the margin at the hybrid row (x on S, z elsewhere). outputs × D.
 */
function bruteForce(e: Ensemble, x: Float64Array, background: Matrix): Float64Array {
  const K = e.outputs;
  const v = new Float64Array(K << D);
  const hybrid = new Float64Array(D);
  for (let S = 0; S < 1 << D; S++) {
    for (let b = 0; b < background.n; b++) {
      for (let j = 0; j < D; j++) hybrid[j] = (S >> j) & 1 ? x[j]! : background.data[b * D + j]!;
      const m = marginAt(e, hybrid);
      for (let o = 0; o < K; o++) v[o * (1 << D) + S] += m[o]! / background.n;
    }
  }
  const fact = [1];
  for (let i = 1; i <= D; i++) fact.push(fact[i - 1]! * i);
  const phi = new Float64Array(K * D);
  for (let o = 0; o < K; o++) {
    for (let j = 0; j < D; j++) {
      for (let S = 0; S < 1 << D; S++) {
        if ((S >> j) & 1) continue;
        let size = 0;
        for (let b = 0; b < D; b++) size += (S >> b) & 1;
        const weight = (fact[size]! * fact[D - size - 1]!) / fact[D]!;
        phi[o * D + j] += weight * (v[o * (1 << D) + (S | (1 << j))]! - v[o * (1 << D) + S]!);
      }
    }
  }
  return phi;
}

/** The model's scores from its margins through the link, laid out as predict lays them out. */
function throughLink(c: Contributions, model: Model): Float64Array {
  const n = c.margin.length / c.outputs;
  if (c.link === 'softmax') {
    const out = new Float64Array(c.margin.length);
    for (let i = 0; i < n; i++) {
      const row = c.margin.subarray(i * c.outputs, (i + 1) * c.outputs);
      const max = Math.max(...row);
      const sum = row.reduce((s, m) => s + Math.exp(m - max), 0);
      row.forEach((m, k) => (out[i * c.outputs + k] = Math.exp(m - max) / sum));
    }
    return out;
  }
  const score = c.margin.map((m) => (c.link === 'logistic' ? 1 / (1 + Math.exp(-m)) : m));
  if (model.task !== 'binary') return score;
  return Float64Array.from({ length: 2 * n }, (_, k) => (k % 2 === 1 ? score[k >> 1]! : 1 - score[k >> 1]!));
}

function ensembleOf(model: Model, learner: 'gbdt' | 'forest', K: number): Ensemble {
  const trees = unpackTrees(model.state);
  return {
    trees,
    outputs: K,
    init: learner === 'gbdt' ? (model.state['initScore'] as Float64Array) : new Float64Array(K),
    scale: learner === 'forest' ? K / trees.length : 1,
  };
}

interface Case {
  learner: 'gbdt' | 'forest';
  task: Task;
  params: Record<string, unknown>;
  link: Contributions['link'];
}
const gbdt = { n_estimators: 8, num_leaves: 8, min_data_in_leaf: 5, learning_rate: 0.3, categorical_features: [5] };
const forest = { n_estimators: 5, max_depth: 5, min_samples_leaf: 3 };
const cases: Case[] = [
  { learner: 'gbdt', task: 'binary', params: gbdt, link: 'logistic' },
  { learner: 'gbdt', task: 'multiclass', params: gbdt, link: 'softmax' },
  { learner: 'gbdt', task: 'regression', params: gbdt, link: 'identity' },
  { learner: 'forest', task: 'binary', params: forest, link: 'identity' },
  { learner: 'forest', task: 'multiclass', params: forest, link: 'identity' },
  { learner: 'forest', task: 'regression', params: forest, link: 'identity' },
];

describe('interventional tree SHAP', () => {
  for (const c of cases) {
    it(`${c.learner} ${c.task}: equals brute-force interventional Shapley values, adds up to the margin, base is the background's mean margin`, async () => {
      const { X, y } = data(300, c.task, 7);
      const model = await fit(c.learner, X, y, c.task, c.params, { seed: 3 });
      const test = data(25, c.task, 11).X;
      const background = data(10, c.task, 13).X;
      const result = getLearner(c.learner).explain!(model, test, { background });
      const K = result.outputs;
      expect(K).toBe(c.task === 'multiclass' ? 3 : 1);
      expect(result.link).toBe(c.link);
      expect(result.values.length).toBe(test.n * K * D);
      expect(result.margin.length).toBe(test.n * K);

      const e = ensembleOf(model, c.learner, K);
      expect(e.trees.some((t) => t.feature.length > 2)).toBe(true);
      if (c.learner === 'gbdt') expect(e.trees.some((t) => t.isCategorical?.includes(1))).toBe(true);
      // Some split sends a test or background row's NaN its default way.
      const bg = background.data as Float64Array;
      expect(Array.from(bg).some((v) => Number.isNaN(v))).toBe(true);

      // Base: the mean margin over the background rows.
      const mean = new Float64Array(K);
      for (let b = 0; b < background.n; b++) marginAt(e, bg.subarray(b * D, (b + 1) * D)).forEach((m, o) => (mean[o] += m / background.n));
      for (let o = 0; o < K; o++) expect(Math.abs(result.base[o]! - mean[o]!)).toBeLessThan(1e-12);

      let nonzero = 0;
      for (let i = 0; i < test.n; i++) {
        const x = (test.data as Float64Array).subarray(i * D, (i + 1) * D);
        const exact = bruteForce(e, x, background);
        for (let k = 0; k < K * D; k++) {
          expect(Math.abs(result.values[i * K * D + k]! - exact[k]!)).toBeLessThan(1e-9);
          if (Math.abs(exact[k]!) > 1e-6) nonzero++;
        }
        const m = marginAt(e, x);
        for (let o = 0; o < K; o++) {
          expect(Math.abs(result.margin[i * K + o]! - m[o]!)).toBeLessThan(1e-12);
          let sum = result.base[o]!;
          for (let j = 0; j < D; j++) sum += result.values[(i * K + o) * D + j]!;
          expect(Math.abs(sum - result.margin[i * K + o]!)).toBeLessThan(1e-9);
        }
      }
      expect(nonzero).toBeGreaterThan(test.n);

      // The margins are the path-dependent explanation's, and give predict through the link.
      const pathDependent = getLearner(c.learner).explain!(model, test);
      expect(Array.from(result.margin)).toEqual(Array.from(pathDependent.margin));
      expect(result.link).toBe(pathDependent.link);
      const scores = predict(model, test);
      const linked = throughLink(result, model);
      for (let k = 0; k < scores.length; k++) expect(Math.abs(linked[k]! - scores[k]!)).toBeLessThan(1e-9);

      // A background whose rows all equal x: every contribution is 0, and the base is x's margin.
      for (const i of [0, 3, 7]) {
        const row = test.data.subarray(i * D, (i + 1) * D);
        const same: Matrix = { data: Float64Array.from({ length: 10 * D }, (_, k) => row[k % D]!), n: 10, d: D };
        const own = getLearner(c.learner).explain!(model, { data: Float64Array.from(row), n: 1, d: D }, { background: same });
        expect(own.values.every((v) => v === 0)).toBe(true);
        for (let o = 0; o < K; o++) expect(Math.abs(own.base[o]! - result.margin[i * K + o]!)).toBeLessThan(1e-12);
      }
    });
  }

  it('without a background the path-dependent values are unchanged', async () => {
    const { X, y } = data(200, 'binary', 1);
    const model = await fit('gbdt', X, y, 'binary', gbdt, { seed: 3 });
    const a = getLearner('gbdt').explain!(model, X);
    const b = getLearner('gbdt').explain!(model, X, {});
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
    expect(Array.from(b.base)).toEqual(Array.from(a.base));
  });

  it('needs no training covers: a model saved before explanations is explained against a background', async () => {
    const { X, y } = data(200, 'regression', 2);
    for (const learner of ['gbdt', 'forest'] as const) {
      const model = await fit(learner, X, y, 'regression', learner === 'gbdt' ? gbdt : forest, { seed: 1 });
      const { nodeCover: _n, leafCover: _l, ...state } = model.state;
      const old: Model = { ...model, state };
      const background = data(8, 'regression', 4).X;
      const withCovers = getLearner(learner).explain!(model, X, { background });
      const without = getLearner(learner).explain!(old, X, { background });
      expect(Array.from(without.values)).toEqual(Array.from(withCovers.values));
      expect(() => getLearner(learner).explain!(old, X)).toThrow(LearnError);
    }
  });

  it('a background of the wrong width, or with no rows, is refused', async () => {
    const { X, y } = data(200, 'binary', 5);
    const model = await fit('gbdt', X, y, 'binary', gbdt);
    expect(() => getLearner('gbdt').explain!(model, X, { background: { data: new Float64Array(10), n: 2, d: 5 } })).toThrow(LearnError);
    expect(() => getLearner('gbdt').explain!(model, X, { background: { data: new Float64Array(0), n: 0, d: D } })).toThrow(LearnError);
  });

  it('a single-leaf model gives no contributions and its constant as the base', async () => {
    const X: Matrix = { data: Float64Array.from({ length: 60 }, (_, i) => (i % 7 === 0 ? NaN : i)), n: 30, d: 2 };
    const model = await fit('gbdt', X, new Float64Array(30).fill(2), 'regression', { n_estimators: 3 });
    const result = getLearner('gbdt').explain!(model, X, { background: X });
    expect(result.values.every((v) => v === 0)).toBe(true);
    for (let i = 0; i < 30; i++) expect(result.margin[i]).toBeCloseTo(result.base[0]!, 12);
  });
});
