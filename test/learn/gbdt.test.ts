import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Matrix, Task } from '../../src/learn/contract.js';
import { fit, getLearner, loadModel, predict, saveModel } from '../../src/learn/registry.js';
import { ROOT } from '../helpers.js';

interface TreeCase {
  name: string;
  task: Task;
  params: Record<string, number>;
  train: { X: (number | null)[][]; y: number[] };
  test: { X: (number | null)[][]; y: number[] };
  metrics: Record<'xgboost' | 'sklearn', { auc?: number; log_loss?: number; accuracy?: number; rmse?: number }>;
}
const fixture = JSON.parse(readFileSync(`${ROOT}/test/fixtures/reference/tree-models.json`, 'utf8')) as { xgboost: string; sklearn: string; cases: TreeCase[] };

const matrix = (rows: (number | null)[][]): Matrix => ({ data: Float64Array.from(rows.flat(), (v) => (v === null ? NaN : v)), n: rows.length, d: rows[0]!.length });

function auc(y: number[], p: ArrayLike<number>): number {
  let pos = 0;
  let neg = 0;
  let correct = 0;
  for (let i = 0; i < y.length; i++) {
    for (let j = 0; j < y.length; j++) {
      if (y[i] === 1 && y[j] === 0) correct += p[i]! > p[j]! ? 1 : p[i] === p[j] ? 0.5 : 0;
    }
    if (y[i] === 1) pos++;
    else neg++;
  }
  return correct / (pos * neg);
}

/**
 * Each peer is matched with the settings that mean the same in Hyperplane: scikit-learn's
 * min_samples_leaf=20 is min_data_in_leaf=20; XGBoost has no row minimum but min_child_weight=1, which
 * is min_sum_hessian=1. Test sets are 54–171 rows, so the tolerances allow a row or two of difference:
 * AUC −0.01, log loss ×1.15, accuracy −0.04, RMSE ×1.05. (One confidently wrong row moves log loss by
 * ~0.02 on 114 rows; on breast cancer thousands of candidate splits tie exactly across correlated
 * features, and which one wins — the lowest feature, as in LightGBM — moves log loss by ~4%.)
 */
const PEER_SETTINGS = {
  sklearn: { min_data_in_leaf: 20 },
  xgboost: { min_data_in_leaf: 1, min_sum_hessian: 1 },
} as const;

describe(`gbdt against XGBoost ${fixture.xgboost} and scikit-learn ${fixture.sklearn} (fixtures from make_tree_fixtures.py)`, () => {
  for (const c of fixture.cases) {
    for (const peer of ['sklearn', 'xgboost'] as const) {
      it(`${c.name}, as ${peer}`, async () => {
        const model = await fit('gbdt', matrix(c.train.X), Float64Array.from(c.train.y), c.task, { ...c.params, ...PEER_SETTINGS[peer] });
        const scores = predict(model, matrix(c.test.X));
        const ref = c.metrics[peer];
        const y = c.test.y;
        if (c.task === 'regression') {
          const rmse = Math.sqrt(y.reduce((s, v, i) => s + (v - scores[i]!) ** 2, 0) / y.length);
          expect(rmse).toBeLessThanOrEqual(ref.rmse! * 1.05);
          return;
        }
        const k = scores.length / y.length;
        const logLoss = -y.reduce((s, v, i) => s + Math.log(Math.max(scores[i * k + v]!, 1e-15)), 0) / y.length;
        expect(logLoss).toBeLessThanOrEqual(ref.log_loss! * 1.15);
        if (c.task === 'binary') {
          expect(auc(y, Array.from({ length: y.length }, (_, i) => scores[2 * i + 1]!))).toBeGreaterThanOrEqual(ref.auc! - 0.01);
        } else {
          const accuracy = y.filter((v, i) => {
            const row = Array.from(scores.subarray(i * k, (i + 1) * k));
            return row.indexOf(Math.max(...row)) === v;
          }).length / y.length;
          expect(accuracy).toBeGreaterThanOrEqual(ref.accuracy! - 0.04);
        }
      });
    }
  }
});

describe('gbdt on hand-checked cases', () => {
  it('one tree on a tiny case: the split, threshold and leaf values worked out by hand', async () => {
    // y = [1, 1, 5, 5] on x = [1, 2, 3, 4]: start at the mean 3; gradients (3 − y) = [2, 2, −2, −2]; the best
    // split is between 2 and 3 (threshold 2.5); leaves −G/H = −4/2 = −2 and +2: predictions 1, 1, 5, 5.
    const X: Matrix = { data: Float64Array.of(1, 2, 3, 4), n: 4, d: 1 };
    const model = await fit('gbdt', X, Float64Array.of(1, 1, 5, 5), 'regression', { n_estimators: 1, learning_rate: 1, num_leaves: 2, min_data_in_leaf: 1, min_sum_hessian: 0 });
    expect(Array.from(model.state['feature'] as Int32Array)).toEqual([0]);
    expect(Array.from(model.state['threshold'] as Float64Array)).toEqual([2.5]);
    expect(Array.from(model.state['leafValue'] as Float64Array)).toEqual([-2, 2]);
    expect(Array.from(predict(model, X))).toEqual([1, 1, 5, 5]);
  });

  it('keeps a monotone constraint: predictions never decrease along the constrained feature', async () => {
    // y rises with x0 overall but dips in the middle; x1 is noise.
    const n = 2000;
    const data = new Float64Array(n * 2);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const x0 = (i % 200) / 20;
      data[2 * i] = x0;
      data[2 * i + 1] = ((i * 7919) % 101) / 100;
      y[i] = x0 - 3 * Math.exp(-((x0 - 5) ** 2)) + data[2 * i + 1]! * 0.1;
    }
    const params = { n_estimators: 50, num_leaves: 15, min_data_in_leaf: 5 };
    const free = await fit('gbdt', { data, n, d: 2 }, y, 'regression', params);
    const constrained = await fit('gbdt', { data, n, d: 2 }, y, 'regression', { ...params, monotone_constraints: [1, 0] });
    const grid: Matrix = { data: Float64Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? i / 40 : 0.5)), n: 200, d: 2 };
    const increases = (p: Float64Array): boolean => p.every((v, i) => i === 0 || v >= p[i - 1]! - 1e-12);
    expect(increases(predict(free, grid))).toBe(false);
    expect(increases(predict(constrained, grid))).toBe(true);
  });

  it('learns where missing values go: here missing means positive', async () => {
    const n = 1000;
    const data = new Float64Array(n * 2);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const missing = i % 5 === 0;
      data[2 * i] = missing ? NaN : (i % 97) / 97;
      data[2 * i + 1] = ((i * 31) % 53) / 53;
      y[i] = missing ? 1 : data[2 * i]! > 0.8 ? 1 : 0;
    }
    const model = await fit('gbdt', { data, n, d: 2 }, y, 'binary', { n_estimators: 30, num_leaves: 4, min_data_in_leaf: 5 });
    const p = predict(model, { data: Float64Array.of(NaN, 0.5, 0.3, 0.5, 0.95, 0.5), n: 3, d: 2 });
    expect(p[1]).toBeGreaterThan(0.9); // missing → positive
    expect(p[3]).toBeLessThan(0.1); // 0.3 → negative
    expect(p[5]).toBeGreaterThan(0.9); // 0.95 → positive
  });

  it('stops early when the held-out loss stops improving, keeping the best round', async () => {
    const n = 3000;
    const data = Float64Array.from({ length: n * 3 }, (_, i) => Math.sin(i * 1.7));
    const y = Float64Array.from({ length: n }, (_, i) => (Math.sin(i * 12.3) > 0 ? 1 : 0)); // unrelated to X
    const model = await fit('gbdt', { data, n, d: 3 }, y, 'binary', { n_estimators: 300, early_stopping_rounds: 10 });
    expect(model.training.iterations).toBeLessThan(60);
    expect(model.state['bestIteration']).toBe(model.training.iterations);
  });

  it("gives auto's fit on every row the folds' mean stopping round, a tenth more for the rows it gains, and no rows held out", async () => {
    const n = 1200;
    const data = Float64Array.from({ length: n * 2 }, (_, i) => Math.sin(i * 0.37) + Math.cos(i * 1.3));
    const y = Float64Array.from({ length: n }, (_, i) => (data[i * 2]! + 0.5 * Math.sin(i * 7.1) > 0 ? 1 : 0));
    const params = { n_estimators: 400, early_stopping_rounds: 10, validation_fraction: 0.15, num_leaves: 7 };
    const folds = await Promise.all([1, 2, 3].map((seed) => fit('gbdt', { data, n, d: 2 }, y, 'binary', params, { seed })));
    const rounds = folds.map((m) => Number(m.state['bestIteration']));
    expect(rounds.every((r) => r > 0 && r < 400)).toBe(true);
    const refit = getLearner('gbdt').refitParams!(folds, params);
    expect(refit).toEqual({ n_estimators: Math.round((1.1 * (rounds[0]! + rounds[1]! + rounds[2]!)) / 3), early_stopping_rounds: 0, num_leaves: 7 });
    // Without early stopping, nothing changes: the params are refitted as they are.
    expect(getLearner('gbdt').refitParams!(folds, { n_estimators: 50 })).toBeUndefined();
  });

  it('with groups, early stopping holds out whole groups: copies of a row on both sides would keep it boosting on noise', async () => {
    // 100 groups, each 8 copies of one row with a random label: no signal that carries to an unseen group.
    const groups = 100;
    const n = groups * 8;
    const group = Int32Array.from({ length: n }, (_, i) => Math.floor(i / 8));
    const data = Float64Array.from({ length: n * 3 }, (_, j) => Math.sin((group[Math.floor(j / 3)]! * 3 + (j % 3)) * 12.9898) * 43758.5453 % 1);
    const y = Float64Array.from({ length: n }, (_, i) => (Math.sin(group[i]! * 78.233) * 43758.5453 % 1 > 0 ? 1 : 0));
    const params = { n_estimators: 400, early_stopping_rounds: 20, num_leaves: 31, min_data_in_leaf: 2, validation_fraction: 0.2 };
    const byRows = await fit('gbdt', { data, n, d: 3 }, y, 'binary', params, { seed: 1 });
    const byGroups = await fit('gbdt', { data, n, d: 3 }, y, 'binary', params, { seed: 1, groups: group });
    // Held-out copies of training rows reward memorising them, round after round; held-out groups do not.
    expect(byRows.training.iterations).toBeGreaterThan(100);
    expect(byGroups.training.iterations).toBeLessThan(30);
    await expect(fit('gbdt', { data, n, d: 3 }, y, 'binary', params, { groups: group.subarray(1) })).rejects.toThrow(/799 groups for 800 rows/);
  });

  it.each([
    ['l1', 'regression'],
    ['huber', 'regression'],
    ['poisson', 'regression'],
  ] as const)('objective %s fits a sensible model', async (objective, task) => {
    const n = 2000;
    const data = Float64Array.from({ length: n * 2 }, (_, i) => ((i * 7919) % 1000) / 1000);
    const y = Float64Array.from({ length: n }, (_, i) => Math.round(Math.exp(1 + 2 * data[2 * i]!)));
    const model = await fit('gbdt', { data, n, d: 2 }, y, task, { objective, n_estimators: 200 });
    const p = predict(model, { data, n, d: 2 });
    const mae = y.reduce((s, v, i) => s + Math.abs(v - p[i]!), 0) / n;
    const baseline = y.reduce((s, v) => s + Math.abs(v - 8), 0) / n;
    expect(mae).toBeLessThan(baseline * 0.5);
    if (objective === 'poisson') expect(p.every((v) => v > 0)).toBe(true);
  });

  it('reports split-count and split-gain importance, highest for the informative feature', async () => {
    const n = 2000;
    const data = Float64Array.from({ length: n * 3 }, (_, i) => ((i * 2654435761) % 10007) / 10007);
    const y = Float64Array.from({ length: n }, (_, i) => (data[3 * i + 1]! > 0.5 ? 1 : 0));
    const model = await fit('gbdt', { data, n, d: 3 }, y, 'binary', { n_estimators: 20 });
    const gain = Array.from(model.state['splitGain'] as Float64Array);
    expect(gain.indexOf(Math.max(...gain))).toBe(1);
    expect((model.state['splitCount'] as Float64Array)[1]).toBeGreaterThan(0);
  });
});

describe('gbdt categorical splits', () => {
  // y is 1 for an arbitrary set of 5 of 20 categories: one categorical split separates them; thresholds can't.
  const positive = new Set([2, 3, 7, 11, 15]);
  const n = 4000;
  const data = new Float64Array(n * 2);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const code = (i * 7) % 20;
    data[2 * i] = i % 50 === 0 ? NaN : code;
    data[2 * i + 1] = ((i * 2654435761) % 1000) / 1000;
    y[i] = Number.isNaN(data[2 * i]!) ? 0 : positive.has(code) ? 1 : 0;
  }
  const X: Matrix = { data, n, d: 2 };

  it('groups categories in one split, and predicts through a saved model', async () => {
    const model = await fit('gbdt', X, y, 'binary', { n_estimators: 1, num_leaves: 2, learning_rate: 1, categorical_features: [0] });
    expect(Array.from(model.state['isCategorical'] as Uint8Array)).toEqual([1]);
    const restored = loadModel(saveModel(model));
    const grid: Matrix = { data: Float64Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? i / 2 : 0.5)), n: 20, d: 2 };
    const p = predict(restored, grid);
    const positives = [...positive].map((c) => p[2 * c + 1]!);
    const negatives = Array.from({ length: 20 }, (_, c) => c).filter((c) => !positive.has(c)).map((c) => p[2 * c + 1]!);
    expect(Math.min(...positives)).toBeGreaterThan(Math.max(...negatives));
  });

  it('fits better than treating the codes as numbers, with the same budget', async () => {
    const params = { n_estimators: 5, num_leaves: 3, learning_rate: 0.5 };
    const asCategories = await fit('gbdt', X, y, 'binary', { ...params, categorical_features: [0] });
    const asNumbers = await fit('gbdt', X, y, 'binary', params);
    expect(asCategories.training.finalLoss).toBeLessThan(asNumbers.training.finalLoss * 0.5);
  });

  it('never gives a category seen in fewer than cat_smooth (10) rows a side of its own, however extreme its target; with the guards off it does', async () => {
    // 19 categories of 120 rows each, the target rising with the code; code 19 seen 6 times with a target far below all.
    const rows: [number, number][] = [];
    for (let c = 0; c < 19; c++) for (let r = 0; r < 120; r++) rows.push([c, c + (r % 3) * 0.1]);
    for (let r = 0; r < 6; r++) rows.push([19, -1000]);
    const Xr: Matrix = { data: Float64Array.from(rows.map(([c]) => c)), n: rows.length, d: 1 };
    const yr = Float64Array.from(rows.map(([, v]) => v));
    const model = await fit('gbdt', Xr, yr, 'regression', { n_estimators: 1, num_leaves: 2, learning_rate: 1, min_data_in_leaf: 1, categorical_features: [0] });
    const p = predict(model, { data: Float64Array.from({ length: 20 }, (_, c) => c), n: 20, d: 1 });
    // Alone, its leaf would be −1000; it shares one with frequent codes instead.
    expect(Array.from({ length: 19 }, (_, c) => c).some((c) => p[c] === p[19])).toBe(true);
    expect(p[19]).toBeGreaterThan(-500);
    // With the guards off, the split isolates it.
    const unguarded = await fit('gbdt', Xr, yr, 'regression', { n_estimators: 1, num_leaves: 2, learning_rate: 1, min_data_in_leaf: 1, categorical_features: [0], cat_smooth: 1, cat_l2: 0, min_data_per_group: 1 });
    const q = predict(unguarded, { data: Float64Array.from({ length: 20 }, (_, c) => c), n: 20, d: 1 });
    expect(q[19]).toBeCloseTo(-1000, 6);
    expect(Array.from({ length: 19 }, (_, c) => q[c]!).every((v) => v > 0)).toBe(true);
  });

  it('refuses a categorical feature index past the data', async () => {
    await expect(fit('gbdt', X, y, 'binary', { categorical_features: [5] })).rejects.toThrow('categorical_features names feature 5, but X has 2');
  });
});
