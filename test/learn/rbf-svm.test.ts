import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Matrix, Model, Task } from '../../src/learn/contract.js';
import { LearnError } from '../../src/learn/errors.js';
import { checkModel, fit, loadModel, predict, saveModel } from '../../src/learn/registry.js';
import { ROOT } from '../helpers.js';

interface Case {
  name: string;
  task: Task;
  C: number;
  gamma: number;
  X_train: number[][];
  y_train: number[];
  X_test: number[][];
  y_test: number[];
  svc_predictions: number[];
  svc_accuracy: number;
}
const fixture = JSON.parse(readFileSync(`${ROOT}/test/fixtures/reference/rbf-svm.json`, 'utf8')) as { sklearn: string; cases: Case[] };

const matrix = (rows: number[][]): Matrix => ({ data: Float64Array.from(rows.flat()), n: rows.length, d: rows[0]!.length });

function decisions(p: Float64Array, k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < p.length / k; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (p[i * k + c]! > p[i * k + best]!) best = c;
    out.push(best);
  }
  return out;
}

describe('rbf_svm against scikit-learn SVC(kernel=rbf)', () => {
  for (const c of fixture.cases) {
    it(`${c.name} (${c.task}): accuracy within 0.01 of SVC's, ≥ 97% of test decisions the same`, async () => {
      const model = await fit('rbf_svm', matrix(c.X_train), Float64Array.from(c.y_train), c.task, { C: c.C }, { seed: 1 });
      // gamma='scale' on the standardised training features is SVC's (StandardScaler, then gamma='scale').
      expect(model.state['gamma']).toBeCloseTo(c.gamma, 10);
      const p = predict(model, matrix(c.X_test));
      const ours = decisions(p, model.nClasses);
      const accuracy = ours.filter((v, i) => v === c.y_test[i]).length / ours.length;
      const agreement = ours.filter((v, i) => v === c.svc_predictions[i]).length / ours.length;
      console.log(`${c.name}: test rows ${ours.length}, SVC accuracy ${c.svc_accuracy.toFixed(4)}, ours ${accuracy.toFixed(4)}, decisions the same ${(100 * agreement).toFixed(1)}%, ${model.training.iterations} passes${model.training.converged ? '' : ' (not converged)'}`);
      expect(Math.abs(accuracy - c.svc_accuracy)).toBeLessThanOrEqual(0.01 + 1e-12);
      expect(agreement).toBeGreaterThanOrEqual(0.97);
      for (let i = 0; i < ours.length; i++) {
        let total = 0;
        for (let k = 0; k < model.nClasses; k++) total += p[i * model.nClasses + k]!;
        expect(total).toBeCloseTo(1, 6);
      }
    });
  }
});

describe('rbf_svm models', () => {
  const moons = fixture.cases.find((c) => c.name === 'moons')!;
  const wine = fixture.cases.find((c) => c.name === 'wine')!;
  const fitOn = (c: Case, seed: number, params: Record<string, unknown> = {}): Promise<Model> => fit('rbf_svm', matrix(c.X_train), Float64Array.from(c.y_train), c.task, { n_components: 300, ...params }, { seed });

  it('survives a save and load, predicting the same', async () => {
    for (const c of [moons, wine]) {
      const model = await fitOn(c, 2);
      const restored = loadModel(saveModel(model));
      expect(predict(restored, matrix(c.X_test))).toEqual(predict(model, matrix(c.X_test)));
    }
  });

  it('gives the same model for the same seed, and another for another seed', async () => {
    const a = await fitOn(moons, 5);
    const b = await fitOn(moons, 5);
    const other = await fitOn(moons, 6);
    expect(b.state).toEqual(a.state);
    expect(predict(b, matrix(moons.X_test))).toEqual(predict(a, matrix(moons.X_test)));
    expect(other.state['W']).not.toEqual(a.state['W']);
  });

  it('refuses a corrupted state, naming the field', async () => {
    const model = await fitOn(wine, 1);
    const corrupt = (change: (s: Model['state']) => void): Model => {
      const copy = loadModel(saveModel(model));
      change(copy.state);
      return copy;
    };
    const expectRefusal = (m: Model, message: RegExp): void => {
      expect(() => checkModel(m)).toThrow(LearnError);
      expect(() => checkModel(m)).toThrow(message);
    };
    expectRefusal(corrupt((s) => (s['coef'] = (s['coef'] as Float64Array).slice(1))), /state\.coef has 899 values, expected 900 \(3 one-vs-one classifiers × 300 random features\)/);
    expectRefusal(corrupt((s) => (s['W'] = (s['W'] as Float64Array).slice(0, 10))), /state\.W has 10 values, expected 3,900/);
    expectRefusal(corrupt((s) => ((s['b'] as Float64Array)[4] = NaN)), /state\.b\[4\] is NaN/);
    expectRefusal(corrupt((s) => ((s['plattA'] as Float64Array)[1] = Infinity)), /state\.plattA\[1\] is Infinity/);
    expectRefusal(corrupt((s) => (s['present'] = new Uint8Array([1, 0, 0]))), /state\.present marks 1 class present/);
    expectRefusal(corrupt((s) => (s['present'] = new Uint8Array([1, 2, 1]))), /state\.present\[1\] is 2/);
    expectRefusal(corrupt((s) => (s['intercept'] = [1, 2, 3] as unknown as Float64Array)), /state\.intercept: expected a Float64Array/);
    expectRefusal(corrupt((s) => delete s['gamma']), /state\.gamma/);
  });

  it('gives probabilities that sum to one, and a row of weight 0 is a row left out', async () => {
    const model = await fitOn(moons, 3);
    const p = predict(model, matrix(moons.X_test));
    const A = (model.state['plattA'] as Float64Array)[0]!;
    expect(A).toBeGreaterThan(0);
    for (let i = 0; i < moons.y_test.length; i++) expect(p[2 * i]! + p[2 * i + 1]!).toBeCloseTo(1, 12);
    // Zero weights drop rows: the same model as without them.
    const n = moons.y_train.length;
    const weights = Float64Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 0 : 1));
    const rows = Array.from({ length: n }, (_, i) => i).filter((i) => i % 5 !== 0);
    const weighted = await fit('rbf_svm', matrix(moons.X_train), Float64Array.from(moons.y_train), 'binary', { n_components: 300, tol: 1e-6 }, { seed: 3, weights });
    const dropped = await fit('rbf_svm', matrix(rows.map((i) => moons.X_train[i]!)), Float64Array.from(rows, (i) => moons.y_train[i]!), 'binary', { n_components: 300, tol: 1e-6 }, { seed: 3 });
    const a = predict(weighted, matrix(moons.X_test));
    const b = predict(dropped, matrix(moons.X_test));
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-3);
  });
});
