import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Matrix } from '../../src/learn/contract.js';
import { fit, loadModel, predict, saveModel } from '../../src/learn/registry.js';
import { rocAuc } from '../../src/evaluate/metrics.js';
import { ROOT } from '../helpers.js';

interface Case {
  name: string;
  nu: number;
  gamma: number;
  X_train: number[][];
  X_test: number[][];
  y_test: number[];
  isolation_forest_auc: number;
  ocsvm_outside: number[];
  ocsvm_train_outside_share: number;
  ocsvm_auc: number;
}
// From test/fixtures/make_anomaly_fixtures.py (scikit-learn's IsolationForest and OneClassSVM on the same splits).
const fixture = JSON.parse(readFileSync(`${ROOT}/test/fixtures/reference/anomaly.json`, 'utf8')) as { sklearn: string; cases: Case[] };

const matrix = (rows: number[][]): Matrix => ({ data: Float64Array.from(rows.flat()), n: rows.length, d: rows[0]!.length });
const none = (n: number): Float64Array => new Float64Array(n);

describe('anomaly learners against scikit-learn', () => {
  for (const c of fixture.cases) {
    it(`${c.name}: one_class_svm decides as OneClassSVM(nu=${c.nu}) on ≥ 99% of the test rows, its AUC within 0.005`, async () => {
      const X = matrix(c.X_train);
      const model = await fit('one_class_svm', X, none(X.n), 'anomaly', { nu: c.nu }, { seed: 1 });
      // gamma='scale' on the standardised training features is OneClassSVM's after StandardScaler.
      expect(model.state['gamma']).toBeCloseTo(c.gamma, 10);
      const scores = predict(model, matrix(c.X_test));
      const outside = Array.from(scores, (s) => (s > 0 ? 1 : 0));
      const agreement = outside.filter((v, i) => v === c.ocsvm_outside[i]).length / outside.length;
      const auc = rocAuc(c.y_test, scores);
      // The share of training rows outside the support, as OneClassSVM's (about ν).
      const trainOutside = predict(model, X).filter((s) => s > 0).length / X.n;
      console.log(`${c.name}: OneClassSVM AUC ${c.ocsvm_auc.toFixed(4)}, ours ${auc.toFixed(4)}; decisions the same ${(100 * agreement).toFixed(1)}%; training rows outside ${(100 * c.ocsvm_train_outside_share).toFixed(1)}% vs ours ${(100 * trainOutside).toFixed(1)}%; ${model.training.iterations} iterations${model.training.converged ? '' : ' (not converged)'}`);
      expect(agreement).toBeGreaterThanOrEqual(0.99);
      expect(Math.abs(auc - c.ocsvm_auc)).toBeLessThanOrEqual(0.005);
      expect(Math.abs(trainOutside - c.ocsvm_train_outside_share)).toBeLessThanOrEqual(0.01);
      // A saved model scores alike.
      expect(predict(loadModel(saveModel(model)), matrix(c.X_test))).toEqual(scores);
    });

    it(`${c.name}: isolation_forest ranks anomalies within 0.03 AUC of IsolationForest`, async () => {
      const X = matrix(c.X_train);
      const model = await fit('isolation_forest', X, none(X.n), 'anomaly', {}, { seed: 1 });
      const auc = rocAuc(c.y_test, predict(model, matrix(c.X_test)));
      console.log(`${c.name}: IsolationForest AUC ${c.isolation_forest_auc.toFixed(4)}, ours ${auc.toFixed(4)}`);
      expect(Math.abs(auc - c.isolation_forest_auc)).toBeLessThanOrEqual(0.03);
    });
  }
});
