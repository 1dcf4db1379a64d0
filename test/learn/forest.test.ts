import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Matrix, Task } from '../../src/learn/contract.js';
import { fit, predict } from '../../src/learn/registry.js';
import { ROOT } from '../helpers.js';

interface TreeCase {
  name: string;
  task: Task;
  train: { X: (number | null)[][]; y: number[] };
  test: { X: (number | null)[][]; y: number[] };
  metrics: Record<string, { auc?: number; log_loss?: number; rmse?: number; accuracy?: number } | undefined>;
}
const fixture = JSON.parse(readFileSync(`${ROOT}/test/fixtures/reference/tree-models.json`, 'utf8')) as { sklearn: string; cases: TreeCase[] };
const byName = new Map(fixture.cases.map((c) => [c.name, c]));
const matrix = (rows: (number | null)[][]): Matrix => ({ data: Float64Array.from(rows.flat(), (v) => (v === null ? NaN : v)), n: rows.length, d: rows[0]!.length });

function auc(y: number[], p: (i: number) => number): number {
  let correct = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++) {
    for (let j = 0; j < y.length; j++) {
      if (y[i] !== 1 || y[j] !== 0) continue;
      pairs++;
      correct += p(i) > p(j) ? 1 : p(i) === p(j) ? 0.5 : 0;
    }
  }
  return correct / pairs;
}

describe(`forest against scikit-learn ${fixture.sklearn}'s RandomForest(100) (fixtures from make_tree_fixtures.py)`, () => {
  it('breast_cancer: AUC within 0.01 and log loss within 20% of the reference', async () => {
    const c = byName.get('breast_cancer')!;
    const model = await fit('forest', matrix(c.train.X), Float64Array.from(c.train.y), 'binary', { n_estimators: 100 }, { seed: 1 });
    const p = predict(model, matrix(c.test.X));
    const ref = c.metrics['sklearn_forest']!;
    expect(auc(c.test.y, (i) => p[2 * i + 1]!)).toBeGreaterThanOrEqual(ref.auc! - 0.01);
    const logLoss = -c.test.y.reduce((s, v, i) => s + Math.log(Math.min(Math.max(p[2 * i + v]!, 1e-3), 1)), 0) / c.test.y.length;
    expect(logLoss).toBeLessThanOrEqual(ref.log_loss! * 1.2);
    // The out-of-bag accuracy estimates held-out accuracy.
    const accuracy = c.test.y.filter((v, i) => (p[2 * i + 1]! >= 0.5 ? 1 : 0) === v).length / c.test.y.length;
    expect(Math.abs((model.state['oobScore'] as number) - accuracy)).toBeLessThan(0.05);
  });

  it('wine (multiclass): accuracy within one test row and log loss within 20% of the reference; probabilities sum to 1', async () => {
    const c = byName.get('wine')!;
    const model = await fit('forest', matrix(c.train.X), Float64Array.from(c.train.y), 'multiclass', { n_estimators: 100 }, { seed: 1 });
    const p = predict(model, matrix(c.test.X));
    const k = 3;
    const ref = c.metrics['sklearn_forest']!;
    let correct = 0;
    let logLoss = 0;
    c.test.y.forEach((v, i) => {
      const row = Array.from(p.subarray(i * k, i * k + k));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      if (row.indexOf(Math.max(...row)) === v) correct++;
      logLoss -= Math.log(Math.min(Math.max(row[v]!, 1e-3), 1));
    });
    expect(correct / c.test.y.length).toBeGreaterThanOrEqual(ref.accuracy! - 1 / c.test.y.length - 1e-12);
    expect(logLoss / c.test.y.length).toBeLessThanOrEqual(ref.log_loss! * 1.2);
    expect(model.nClasses).toBe(3);
    expect(model.state['oobScore'] as number).toBeGreaterThan(0.9);
  });

  it('diabetes: RMSE within 5% of the reference', async () => {
    const c = byName.get('diabetes')!;
    const model = await fit('forest', matrix(c.train.X), Float64Array.from(c.train.y), 'regression', { n_estimators: 100 }, { seed: 1 });
    const p = predict(model, matrix(c.test.X));
    const rmse = Math.sqrt(c.test.y.reduce((s, v, i) => s + (v - p[i]!) ** 2, 0) / c.test.y.length);
    expect(rmse).toBeLessThanOrEqual(c.metrics['sklearn_forest']!.rmse! * 1.05);
    expect(model.state['oobMetric']).toBe('r2');
    expect(model.state['oobScore'] as number).toBeGreaterThan(0.2);
  });

  it('handles missing values natively (penguins: sex from measurements with gaps)', async () => {
    const c = byName.get('penguins_sex_with_missing')!;
    const model = await fit('forest', matrix(c.train.X), Float64Array.from(c.train.y), 'binary', { n_estimators: 50 }, { seed: 1 });
    const p = predict(model, matrix(c.test.X));
    expect(Array.from(p).every(Number.isFinite)).toBe(true);
    expect(auc(c.test.y, (i) => p[2 * i + 1]!)).toBeGreaterThan(c.metrics['sklearn']!.auc! - 0.03);
  });
});
