import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Matrix, Task } from '../../src/learn/contract.js';
import { fit, predict } from '../../src/learn/registry.js';
import { ROOT } from '../helpers.js';

interface Case {
  name: string;
  data: string;
  estimator: string;
  params: Record<string, unknown>;
  task: Task;
  coef: number[][];
  intercept: number[];
  predictions?: number[];
  probabilities?: number[][];
  chosen_C?: number;
}
interface Fixture {
  sklearn: string;
  datasets: Record<string, { X: number[][]; y: number[]; weights: number[] | null }>;
  cases: Case[];
}

const fixture = JSON.parse(readFileSync(`${ROOT}/test/fixtures/reference/linear-models.json`, 'utf8')) as Fixture;
const byName = new Map(fixture.cases.map((c) => [c.name, c]));

function dataOf(c: Case): { X: Matrix; y: Float64Array; weights?: Float64Array } {
  const ds = fixture.datasets[c.data]!;
  const d = ds.X[0]!.length;
  const X: Matrix = { data: Float64Array.from(ds.X.flat()), n: ds.X.length, d };
  return { X, y: Float64Array.from(ds.y), ...(ds.weights ? { weights: Float64Array.from(ds.weights) } : {}) };
}

/** Our learner and parameters for a scikit-learn estimator and its parameters. */
function ours(c: Case): { learner: string; params: Record<string, unknown> } {
  const p = c.params;
  switch (c.estimator) {
    case 'LogisticRegression':
      return {
        learner: 'logistic',
        params: {
          penalty: (p['penalty'] as string | undefined) ?? 'l2',
          C: p['C'],
          ...(p['l1_ratio'] !== undefined ? { l1_ratio: p['l1_ratio'] } : {}),
          ...(p['class_weight'] === 'balanced' ? { class_weight: 'balanced' } : {}),
          tol: 1e-10,
          max_iter: 20_000,
        },
      };
    case 'LogisticRegressionCV':
      return { learner: 'logistic', params: { cv: p['cv'], Cs: p['Cs'], tol: 1e-10, max_iter: 20_000 } };
    case 'LinearRegression':
      return { learner: 'linear', params: { penalty: 'none' } };
    case 'Ridge':
      return { learner: 'linear', params: { penalty: 'l2', alpha: p['alpha'] } };
    case 'Lasso':
      return { learner: 'linear', params: { penalty: 'l1', alpha: p['alpha'], tol: 1e-13 } };
    case 'ElasticNet':
      return { learner: 'linear', params: { penalty: 'elasticnet', alpha: p['alpha'], l1_ratio: p['l1_ratio'], tol: 1e-13 } };
    default:
      throw new Error(`no mapping for ${c.estimator}`);
  }
}

async function fitCase(name: string) {
  const c = byName.get(name)!;
  const { X, y, weights } = dataOf(c);
  const { learner, params } = ours(c);
  const model = await fit(learner, X, y, c.task, params, weights ? { weights } : {});
  return { c, model, scores: predict(model, X), X };
}

/** |a − b| ≤ rel × max(|b|, floor), the floor keeping near-zero coefficients from demanding absolute precision. */
function expectCloseRelative(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, label: string): void {
  const scale = Math.max(...Array.from(expected, Math.abs));
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    const bound = rel * Math.max(Math.abs(e), 1e-2 * scale);
    expect(Math.abs(a - e), `${label}[${i}]: ${a} vs ${e}`).toBeLessThanOrEqual(bound);
  }
}

function expectCloseAbsolute(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, label: string): void {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst, label).toBeLessThanOrEqual(tol);
}

describe(`linear learners against scikit-learn ${fixture.sklearn} (fixtures from make_learn_fixtures.py)`, () => {
  it.each(['logistic_l2_breast_cancer', 'logistic_l2_C0.05_breast_cancer', 'logistic_balanced_imbalanced_cancer', 'logistic_weighted_synthetic'])(
    '%s: coefficients to 1e-4 relative, probabilities to 1e-6',
    async (name) => {
      const { c, model, scores } = await fitCase(name);
      expect(model.training.converged).toBe(true);
      expectCloseRelative(model.state['coef'] as Float64Array, c.coef[0]!, 1e-4, 'coef');
      expectCloseRelative(model.state['intercept'] as Float64Array, c.intercept, 1e-4, 'intercept');
      expectCloseAbsolute(scores, c.probabilities!.flat(), 1e-6, 'probabilities');
    },
  );

  it.each(['logistic_l1_breast_cancer', 'logistic_elasticnet_breast_cancer'])('%s: same coefficients and the same zero pattern', async (name) => {
    const { c, model, scores } = await fitCase(name);
    const coef = model.state['coef'] as Float64Array;
    expectCloseRelative(coef, c.coef[0]!, 1e-3, 'coef');
    expect(Array.from(coef, (v) => v === 0)).toEqual(c.coef[0]!.map((v) => v === 0));
    expectCloseAbsolute(scores, c.probabilities!.flat(), 1e-5, 'probabilities');
  });

  it('multinomial_wine: probabilities to 1e-5', async () => {
    const { c, model, scores } = await fitCase('multinomial_wine');
    expect(model.nClasses).toBe(3);
    expectCloseAbsolute(scores, c.probabilities!.flat(), 1e-5, 'probabilities');
    expectCloseRelative(model.state['coef'] as Float64Array, c.coef.flat(), 1e-4, 'coef');
  });

  it('logistic_cv_breast_cancer: chooses the same C on the same folds, and fits the same model', async () => {
    const { c, model, scores } = await fitCase('logistic_cv_breast_cancer');
    expect(model.state['C']).toBeCloseTo(c.chosen_C!, 12);
    expectCloseRelative(model.state['coef'] as Float64Array, c.coef[0]!, 1e-4, 'coef');
    expectCloseAbsolute(scores, c.probabilities!.flat(), 1e-6, 'probabilities');
  });

  it.each(['ols_diabetes', 'ridge_diabetes', 'ridge_weighted_synthetic'])('%s: coefficients to 1e-6 relative', async (name) => {
    const { c, model, scores } = await fitCase(name);
    expectCloseRelative(model.state['coef'] as Float64Array, c.coef[0]!, 1e-6, 'coef');
    expectCloseRelative([model.state['intercept'] as number], c.intercept, 1e-6, 'intercept');
    expectCloseRelative(scores, c.predictions!, 1e-6, 'predictions');
  });

  it.each(['lasso_diabetes', 'elasticnet_diabetes', 'lasso_weighted_synthetic'])('%s: coefficients and sparsity pattern to 1e-4', async (name) => {
    const { c, model } = await fitCase(name);
    const coef = model.state['coef'] as Float64Array;
    expectCloseRelative(coef, c.coef[0]!, 1e-4, 'coef');
    expect(Array.from(coef, (v) => v === 0)).toEqual(c.coef[0]!.map((v) => v === 0));
    expectCloseRelative([model.state['intercept'] as number], c.intercept, 1e-4, 'intercept');
  });
});
