import { describe, expect, it } from 'vitest';
import type { Contributions, Matrix, Model, Task } from '../../src/learn/contract.js';
import { LearnError } from '../../src/learn/errors.js';
import { fit, getLearner, loadModel, predict, saveModel } from '../../src/learn/registry.js';
import { unpackTrees } from '../../src/learn/tree/pack.js';
import { categoryGoesLeft, type FlatTree } from '../../src/learn/tree/tree.js';
import { Random } from '../../src/synth/random.js';
import { explainTrees, TABLE_ROWS, tablesMade, TreeShap, treeDepth, treeExpectation } from '../../src/learn/tree/tree-shap.js';
import { pathTables, TableShap } from '../../src/learn/tree/tree-shap-tables.js';
import { WasmTreeShap } from '../../src/learn/wasm/tree-shap.js';

const D = 6;
/** Column 5 holds category codes 0–5; columns 1 and 2 are missing in ~15% of rows. */
function data(n: number, task: Task | 'poisson', seed: number): { X: Matrix; y: Float64Array } {
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
    else if (task === 'poisson') y[i] = Math.floor(Math.exp(0.4 * s) * (1 + rng.uniform()));
    else y[i] = s;
    for (const j of [1, 2]) if (rng.uniform() < 0.15) r[j] = NaN;
  }
  return { X: { data: X, n, d: D }, y };
}

function goesLeft(t: FlatTree, node: number, x: Float64Array, at: number): boolean {
  const v = x[at + t.feature[node]!]!;
  if (t.isCategorical !== undefined && t.isCategorical[node] === 1) return categoryGoesLeft(t.catBits!, node, v);
  return v !== v ? t.defaultLeft[node] === 1 : v <= t.threshold[node]!;
}

/** The tree's expectation knowing only the features in `known` (a bit mask): cover-weighted over the rest. */
function valueGiven(t: FlatTree, child: number, known: number, x: Float64Array, at: number): number {
  if (child < 0) return t.leafValue[~child]!;
  if ((known >> t.feature[child]!) & 1) return valueGiven(t, goesLeft(t, child, x, at) ? t.left[child]! : t.right[child]!, known, x, at);
  const cover = (c: number): number => (c >= 0 ? t.nodeCover![c]! : t.leafCover![~c]!);
  const w = t.nodeCover![child]!;
  return (cover(t.left[child]!) / w) * valueGiven(t, t.left[child]!, known, x, at) + (cover(t.right[child]!) / w) * valueGiven(t, t.right[child]!, known, x, at);
}

/** Exact Shapley values by enumerating every subset of the D features: outputs × D, for one row. */
function bruteForce(trees: FlatTree[], outputs: number, scale: number, x: Float64Array, at: number): Float64Array {
  const v = new Float64Array(outputs << D);
  for (let S = 0; S < 1 << D; S++) {
    trees.forEach((t, k) => (v[(k % outputs) * (1 << D) + S] += scale * (t.feature.length === 0 ? t.leafValue[0]! : valueGiven(t, 0, S, x, at))));
  }
  const fact = [1];
  for (let i = 1; i <= D; i++) fact.push(fact[i - 1]! * i);
  const phi = new Float64Array(outputs * D);
  for (let o = 0; o < outputs; o++) {
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
  const score = c.margin.map((m) => (c.link === 'logistic' ? 1 / (1 + Math.exp(-m)) : c.link === 'exp' ? Math.exp(m) : m));
  if (model.task !== 'binary') return score;
  return Float64Array.from({ length: 2 * n }, (_, k) => (k % 2 === 1 ? score[k >> 1]! : 1 - score[k >> 1]!));
}

interface Case {
  learner: 'gbdt' | 'forest';
  task: Task;
  objective?: 'poisson';
  params: Record<string, unknown>;
  link: Contributions['link'];
}
const gbdt = { n_estimators: 8, num_leaves: 8, min_data_in_leaf: 5, learning_rate: 0.3, categorical_features: [5] };
const forest = { n_estimators: 5, max_depth: 4, min_samples_leaf: 3 };
const cases: Case[] = [
  { learner: 'gbdt', task: 'binary', params: gbdt, link: 'logistic' },
  { learner: 'gbdt', task: 'multiclass', params: gbdt, link: 'softmax' },
  { learner: 'gbdt', task: 'regression', params: gbdt, link: 'identity' },
  { learner: 'gbdt', task: 'regression', objective: 'poisson', params: { ...gbdt, objective: 'poisson' }, link: 'exp' },
  { learner: 'forest', task: 'binary', params: forest, link: 'identity' },
  { learner: 'forest', task: 'multiclass', params: forest, link: 'identity' },
  { learner: 'forest', task: 'regression', params: forest, link: 'identity' },
];

describe('tree SHAP', () => {
  for (const c of cases) {
    const label = `${c.learner} ${c.objective ?? c.task}`;
    it(`${label}: equals brute-force Shapley values, adds up to the margin, and the margin gives predict`, async () => {
      const { X, y } = data(300, c.objective ?? c.task, 7);
      const model = await fit(c.learner, X, y, c.task, c.params, { seed: 3 });
      const test = data(40, c.objective ?? c.task, 11).X;
      const result = getLearner(c.learner).explain!(model, test);
      const K = result.outputs;
      expect(K).toBe(c.task === 'multiclass' ? 3 : 1);
      expect(result.link).toBe(c.link);
      expect(result.values.length).toBe(test.n * K * D);

      const trees = unpackTrees(model.state);
      expect(trees.some((t) => t.feature.length > 2)).toBe(true);
      if (c.learner === 'gbdt' && c.task === 'binary') expect(trees.some((t) => t.isCategorical?.includes(1))).toBe(true);
      const scale = c.learner === 'forest' ? K / trees.length : 1;
      const init = c.learner === 'gbdt' ? (model.state['initScore'] as Float64Array) : new Float64Array(K);
      for (let o = 0; o < K; o++) {
        let base = init[o]!;
        trees.forEach((t, k) => (base += k % K === o ? scale * treeExpectation(t) : 0));
        expect(result.base[o]).toBeCloseTo(base, 12);
      }
      for (let i = 0; i < test.n; i++) {
        const exact = bruteForce(trees, K, scale, test.data as Float64Array, i * D);
        for (let k = 0; k < K * D; k++) expect(Math.abs(result.values[i * K * D + k]! - exact[k]!)).toBeLessThan(1e-9);
        for (let o = 0; o < K; o++) {
          let sum = result.base[o]!;
          for (let j = 0; j < D; j++) sum += result.values[(i * K + o) * D + j]!;
          expect(Math.abs(sum - result.margin[i * K + o]!)).toBeLessThan(1e-9);
        }
      }
      const scores = predict(model, test);
      const linked = throughLink(result, model);
      expect(linked.length).toBe(scores.length);
      for (let k = 0; k < scores.length; k++) expect(Math.abs(linked[k]! - scores[k]!)).toBeLessThan(1e-9);
    });
  }

  it('single-leaf trees add only to the base', async () => {
    // y depends on nothing: every tree is a single leaf.
    const X: Matrix = { data: Float64Array.from({ length: 60 }, (_, i) => (i % 7 === 0 ? NaN : i)), n: 30, d: 2 };
    const model = await fit('gbdt', X, new Float64Array(30).fill(2), 'regression', { n_estimators: 3 });
    const result = getLearner('gbdt').explain!(model, X);
    expect(result.values.every((v) => v === 0)).toBe(true);
    for (let i = 0; i < 30; i++) expect(result.margin[i]).toBeCloseTo(result.base[0]!, 12);
  });

  it('a model saved before explanations (no covers) is refused with the reason', async () => {
    const { X, y } = data(200, 'binary', 1);
    for (const learner of ['gbdt', 'forest']) {
      const model = await fit(learner, X, y, 'binary', learner === 'gbdt' ? gbdt : forest);
      const { nodeCover: _n, leafCover: _l, ...state } = model.state;
      const old: Model = { ...model, state };
      getLearner(learner).checkState(old);
      expect(() => getLearner(learner).explain!(old, X)).toThrow(LearnError);
      expect(() => getLearner(learner).explain!(old, X)).toThrow(/saved before explanations.*retrain/);
    }
  });

  it('covers survive saving and loading', async () => {
    const { X, y } = data(200, 'regression', 2);
    const model = await fit('gbdt', X, y, 'regression', gbdt);
    const loaded = loadModel(saveModel(model));
    expect(getLearner('gbdt').explain!(loaded, X).values).toEqual(getLearner('gbdt').explain!(model, X).values);
  });
});

/** Each split's children's shares of its cover, as TreeSHAP weighs them. */
function fractionsOf(t: FlatTree): Float64Array {
  const cover = (c: number): number => (c >= 0 ? t.nodeCover![c]! : t.leafCover![~c]!);
  return Float64Array.from({ length: 2 * t.feature.length }, (_, k) => cover(k % 2 === 0 ? t.left[k >> 1]! : t.right[k >> 1]!) / t.nodeCover![k >> 1]!);
}

describe('the two TreeSHAP algorithms', () => {
  it('tables (Fast TreeSHAP v2) and the path walk give the same numbers, tree by tree, with repeated features, missing values and categories', async () => {
    const { X, y } = data(400, 'binary', 21);
    // Deep leaf-wise trees: long paths that split on the same feature more than once.
    const model = await fit('gbdt', X, y, 'binary', { ...gbdt, num_leaves: 24, min_data_in_leaf: 3, n_estimators: 6 }, { seed: 4 });
    const trees = unpackTrees(model.state);
    const repeats = trees.some((t) => {
      const seen = (node: number, path: number[]): boolean => node >= 0 && (path.includes(t.feature[node]!) || seen(t.left[node]!, [...path, t.feature[node]!]) || seen(t.right[node]!, [...path, t.feature[node]!]));
      return seen(0, []);
    });
    expect(repeats).toBe(true);
    const test = data(60, 'binary', 22).X;
    const fast = new TableShap();
    for (const tree of trees) {
      const tables = pathTables(tree, fractionsOf(tree));
      expect(tables).toBeDefined();
      const walk = new TreeShap(treeDepth(tree));
      for (let i = 0; i < test.n; i++) {
        const a = new Float64Array(D);
        const b = new Float64Array(D);
        fast.add(tree, tables!, test.data, i * D, a, 0, 0.7);
        walk.add(tree, test.data, i * D, b, 0, 0.7);
        for (let j = 0; j < D; j++) expect(Math.abs(a[j]! - b[j]!)).toBeLessThan(1e-12);
      }
    }
  });

  it('the WebAssembly kernel gives the JavaScript tables\' numbers to the bit, for each output of a multiclass model with missing values; categorical splits and trees without tables stay on JavaScript', async () => {
    const { X, y } = data(400, 'multiclass', 31);
    const model = await fit('gbdt', X, y, 'multiclass', { ...gbdt, categorical_features: [], num_leaves: 16 }, { seed: 6 });
    const trees = unpackTrees(model.state);
    const tables = trees.map((t) => pathTables(t, fractionsOf(t)));
    const kernel = WasmTreeShap.from(trees, tables, 3, D);
    expect(kernel).toBeDefined();
    const test = data(80, 'multiclass', 32).X;
    const fast = new TableShap();
    for (let i = 0; i < test.n; i++) {
      const js = new Float64Array(3 * D);
      trees.forEach((tree, t) => fast.add(tree, tables[t]!, test.data, i * D, js, (t % 3) * D, 0.7));
      const wasm = new Float64Array(3 * D);
      kernel!.addRow(test.data, i * D, wasm, 0, 0.7);
      expect(wasm).toEqual(js);
    }
    expect(WasmTreeShap.from(trees, [...tables.slice(1), undefined], 3, D)).toBeUndefined();
    const categorical = unpackTrees((await fit('gbdt', X, y, 'multiclass', gbdt, { seed: 6 })).state);
    expect(categorical.some((t) => t.isCategorical?.some((c) => c === 1))).toBe(true);
    expect(WasmTreeShap.from(categorical, categorical.map((t) => pathTables(t, fractionsOf(t))), 3, D)).toBeUndefined();
  });

  it('tables are made once enough rows are explained to pay for them; the numbers are the same before and after', async () => {
    const { X, y } = data(400, 'regression', 23);
    const model = await fit('gbdt', X, y, 'regression', { ...gbdt, categorical_features: [] }, { seed: 5 });
    const trees = unpackTrees(model.state);
    const few = data(60, 'regression', 24).X;
    const explain = (m: Matrix) => explainTrees('gbdt', trees, 1, Float64Array.of(0), 1, m, 'identity');
    // A few dozen rows (training's global importance): the path walk, no tables.
    const walked = explain(few);
    expect(tablesMade(trees)).toBe(false);
    // A batch that brings the rows explained to TABLE_ROWS makes them; the same rows then give the same numbers.
    explain(data(TABLE_ROWS, 'regression', 25).X);
    expect(tablesMade(trees)).toBe(true);
    const tabled = explain(few);
    for (let k = 0; k < walked.values.length; k++) expect(Math.abs(tabled.values[k]! - walked.values[k]!)).toBeLessThan(1e-12);
  });

  it('a tree with a branch no training row reached has no tables, and the path walk explains it exactly', () => {
    // x0 ≤ 0 → (x1 ≤ 0 → leaf 0 : leaf 1) : leaf 2; the split on x1 saw rows on its left only.
    const tree: FlatTree = {
      feature: Int32Array.of(0, 1),
      threshold: Float64Array.of(0, 0),
      defaultLeft: Uint8Array.of(1, 1),
      left: Int32Array.of(1, ~0),
      right: Int32Array.of(~2, ~1),
      leafValue: Float64Array.of(1.5, -4, 0.25),
      nodeCover: Float64Array.of(10, 6),
      leafCover: Float64Array.of(6, 0, 4),
    };
    expect(pathTables(tree, fractionsOf(tree))).toBeUndefined();
    const x = Float64Array.of(-1, 2, 0, 0, 0, 0);
    const phi = new Float64Array(D);
    new TreeShap(treeDepth(tree)).add(tree, x, 0, phi, 0, 1);
    const exact = bruteForce([tree], 1, 1, x, 0);
    for (let j = 0; j < D; j++) expect(Math.abs(phi[j]! - exact[j]!)).toBeLessThan(1e-12);
    expect(phi[1]).not.toBe(0);
  });
});

describe('training covers', () => {
  it('gbdt: the root covers every (weighted) training row, and the leaves share it', async () => {
    const { X, y } = data(300, 'binary', 5);
    const weights = Float64Array.from({ length: 300 }, (_, i) => 0.5 + (i % 3));
    for (const w of [undefined, weights]) {
      const model = await fit('gbdt', X, y, 'binary', gbdt, w === undefined ? {} : { weights: w });
      const total = w === undefined ? 300 : w.reduce((s, v) => s + v, 0);
      for (const t of unpackTrees(model.state)) {
        expect(t.nodeCover!.length).toBe(t.feature.length);
        expect(t.nodeCover![0]).toBeCloseTo(total, 9);
        expect(t.leafCover!.reduce((s, v) => s + v, 0)).toBeCloseTo(total, 9);
        // Each split's children share its cover.
        const cover = (c: number): number => (c >= 0 ? t.nodeCover![c]! : t.leafCover![~c]!);
        for (let node = 0; node < t.feature.length; node++) expect(cover(t.left[node]!) + cover(t.right[node]!)).toBeCloseTo(t.nodeCover![node]!, 9);
      }
    }
  });

  it('forest: the root covers the bootstrap sample (n draws), leaves share it', async () => {
    const { X, y } = data(300, 'regression', 6);
    const model = await fit('forest', X, y, 'regression', forest);
    for (const t of unpackTrees(model.state)) {
      expect(t.nodeCover![0]).toBe(300);
      expect(t.leafCover!.reduce((s, v) => s + v, 0)).toBe(300);
    }
  });
});
