import { describe, expect, it } from 'vitest';
import type { Model, Task } from '../../src/learn/contract.js';
import { checkModel, fit, LEARNERS, loadModel, saveModel } from '../../src/learn/registry.js';

/** Small data every learner can fit: two informative features, a noise one. */
function data(task: Task): { X: { data: Float64Array; n: number; d: number }; y: Float64Array } {
  const n = 200;
  const d = 3;
  const X = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.sin(i * 0.7);
    const b = Math.cos(i * 1.3);
    X.set([a, b, ((i * 7919) % 13) / 13], i * d);
    y[i] = task === 'regression' || task === 'anomaly' ? a + 2 * b : task === 'binary' ? (a + b > 0 ? 1 : 0) : a > 0.3 ? 2 : a > -0.3 ? 1 : 0;
  }
  return { X: { data: X, n, d }, y };
}

/** Written rules, one condition per feature of `data`. */
function rulesFor(task: Task): Record<string, unknown> {
  const then = task === 'regression' ? [1, 2, 3, 0] : task === 'binary' ? [0.9, 0.6, 0.3, 0.1] : ['2', '1', '0', '0'];
  return { conditions: [0, 1, 2].map((j) => ({ if: `x${j} > 0`, then: then[j]! })), otherwise: then[3]! };
}

async function fitted(kind: string, task: Task, params: Record<string, unknown> = {}): Promise<Model> {
  const { X, y } = data(task);
  return loadModel(saveModel(await fit(kind, X, y, task, params)));
}

describe('every learner checks its state on load', () => {
  it('every learner has a state check', () => {
    for (const learner of LEARNERS.values()) expect(typeof learner.checkState, learner.name).toBe('function');
  });

  it('fitted models of every kind and task pass', async () => {
    for (const learner of LEARNERS.values()) {
      for (const task of learner.capabilities.tasks) {
        const small = learner.name === 'gbdt' || learner.name === 'forest' || learner.name === 'isolation_forest' ? { n_estimators: 3 } : learner.name === 'rules' ? rulesFor(task) : {};
        const model = await fitted(learner.name, task, small);
        expect(() => checkModel(model), `${learner.name} ${task}`).not.toThrow();
      }
    }
  });

  const cases: { kind: string; task: Task; params?: Record<string, unknown>; edit: (s: Model['state'], m: Model) => void; message: RegExp }[] = [
    { kind: 'logistic', task: 'multiclass', edit: (s) => (s['coef'] = (s['coef'] as Float64Array).subarray(0, 3)), message: /state\.coef has 3 values, expected 9 \(3 features × 3 classes\)/ },
    { kind: 'logistic', task: 'binary', edit: (s) => (s['intercept'] = new Float64Array(2)), message: /state\.intercept has 2 values, expected 1/ },
    { kind: 'linear', task: 'regression', edit: (s) => ((s['coef'] as Float64Array)[1] = Infinity), message: /state\.coef\[1\] is Infinity/ },
    { kind: 'baseline', task: 'multiclass', edit: (s) => (s['scores'] = new Float64Array(2)), message: /state\.scores has 2 values, expected 3/ },
    { kind: 'gbdt', task: 'binary', params: { n_estimators: 3 }, edit: (s) => ((s['feature'] as Int32Array)[0] = -1), message: /state\.feature\[0\] is -1/ },
    { kind: 'gbdt', task: 'binary', params: { n_estimators: 3 }, edit: (s) => (s['initScore'] = new Float64Array(0)), message: /state\.initScore has 0 values, expected 1/ },
    { kind: 'forest', task: 'multiclass', params: { n_estimators: 3 }, edit: (s) => (s['outputs'] = 1), message: /state\.outputs is 1; a forest with 3 classes has 3/ },
    { kind: 'forest', task: 'regression', params: { n_estimators: 3 }, edit: (s) => (s['nodeOffset'] = new Int32Array([0])), message: /state\.nodeOffset has 1 values/ },
    { kind: 'isolation_forest', task: 'anomaly', params: { n_estimators: 3 }, edit: (s) => ((s['children'] as Int32Array)[0] = 0), message: /state\.children\[0\] is 0 \(node 0\)/ },
    { kind: 'isolation_forest', task: 'anomaly', params: { n_estimators: 3 }, edit: (s) => ((s['roots'] as Int32Array)[0] = 1e6), message: /state\.roots\[0\] is 1000000/ },
    { kind: 'isolation_forest', task: 'anomaly', params: { n_estimators: 3 }, edit: (s) => (s['normalizer'] = NaN), message: /state\.normalizer/ },
    { kind: 'logistic', task: 'binary', edit: (_, m) => (m.nClasses = 3), message: /nClasses is 3; a binary model has 2/ },
    { kind: 'linear', task: 'regression', edit: (_, m) => (m.task = 'binary'), message: /task 'binary' is not one linear does/ },
  ];
  for (const c of cases) {
    it(`${c.kind} (${c.task}): ${c.message.source}`, async () => {
      const model = await fitted(c.kind, c.task, c.params);
      c.edit(model.state, model);
      expect(() => checkModel(model)).toThrow(c.message);
      // Through the file too: loadModel refuses what was saved.
      expect(() => loadModel(saveModel(model))).toThrow(c.message);
    });
  }
});
