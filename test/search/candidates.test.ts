import { describe, expect, it } from 'vitest';
import type { Learner } from '../../src/learn/contract.js';
import { candidatesFor, referenceFor } from '../../src/search/index.js';

/**
 * auto's plan, written out: the learners' declarations must give it exactly. Since issue 25, GBDT adds its own
 * defaults (100 rounds, no rows held out) and a fine-grained candidate (3 rows a leaf, no guards on categories).
 */
function previousPlan(task: 'binary' | 'multiclass' | 'regression', rows: number, rules: boolean): { learner: string; params: Record<string, unknown> }[] {
  const minLeaf = rows < 2000 ? 5 : 20;
  const boosted = (params: Record<string, unknown>) => ({ learner: 'gbdt', params: { n_estimators: 2000, early_stopping_rounds: 50, validation_fraction: 0.15, ...params } });
  const linear = task === 'regression' ? [1, 10, 0.1].map((alpha) => ({ learner: 'linear', params: { alpha } })) : [1, 0.1, 10].map((C) => ({ learner: 'logistic', params: { C, tol: 1e-4, max_iter: 500 } }));
  return [
    { learner: 'baseline', params: {} },
    ...(rules ? [RULES] : []),
    linear[0]!,
    boosted({ num_leaves: 15, learning_rate: 0.1, min_data_in_leaf: minLeaf }),
    { learner: 'forest', params: { n_estimators: 300 } },
    ...(task === 'binary' ? [{ learner: 'scorecard', params: {} }] : []),
    ...linear.slice(1),
    boosted({ num_leaves: 31, learning_rate: 0.05, min_data_in_leaf: minLeaf, colsample: 0.8 }),
    boosted({ num_leaves: 7, learning_rate: 0.05, min_data_in_leaf: minLeaf, lambda_l2: 1 }),
    { learner: 'gbdt', params: {} },
    boosted({ num_leaves: 31, learning_rate: 0.05, min_data_in_leaf: 3, lambda_l2: 1, cat_smooth: 1, cat_l2: 0, min_data_per_group: 1 }),
  ];
}

/** The team's rules from a config: the rules learner with its params, right after the references. */
const RULES = { learner: 'rules', params: { conditions: [{ if: 'x > 1', then: 1 }], otherwise: 0 } };

/** A learner made up for this test only: the search knows it by what it declares, never by its name. */
function fake(name: string, rank: number, params: Record<string, unknown>[], extra: Partial<Learner> = {}): Learner {
  return {
    name,
    description: 'a test learner',
    params: undefined as never,
    formatVersion: 1,
    capabilities: { tasks: ['binary'], sampleWeights: false, missingValues: 'native', explanations: 'none', singleClass: 'error', ...extra.capabilities },
    auto: { rank, candidates: () => params },
    fit: () => Promise.reject(new Error('not fitted here')),
    predict: () => new Float64Array(),
    checkState: () => undefined,
    ...extra,
  } as Learner;
}

describe("auto's candidates, from what each learner declares", () => {
  for (const task of ['binary', 'multiclass', 'regression'] as const) {
    for (const [rows, rules] of [[500, false], [50_000, true]] as const) {
      it(`${task}, ${rows} rows${rules ? ', with rules' : ''}: the plan as written out`, () => {
        expect(candidatesFor(task, rows, rules ? [RULES] : [])).toEqual(previousPlan(task, rows, rules));
      });
    }
  }

  it("orders learners it has never seen by their rank, firsts before variants, references first and the team's own candidates right after them; one that declares nothing or not the task is left out", () => {
    const learners = [
      fake('zeta', 2, [{ a: 1 }, { a: 2 }, { a: 3 }]),
      fake('ref', 0, [{}], { capabilities: { tasks: ['binary'], sampleWeights: false, missingValues: 'ignore', explanations: 'none', singleClass: 'constant', reference: true } }),
      fake('alpha', 1, [{ b: 1 }, { b: 2 }]),
      fake('silent', 0, []),
      (({ auto: _auto, ...rest }) => rest as Learner)(fake('undeclared', 0, [{}])),
      fake('regressor', 1, [{}], { capabilities: { tasks: ['regression'], sampleWeights: false, missingValues: 'native', explanations: 'none', singleClass: 'error' } }),
    ];
    expect(candidatesFor('binary', 100, [{ learner: 'written', params: { w: 1 } }], learners)).toEqual([
      { learner: 'ref', params: {} },
      { learner: 'written', params: { w: 1 } },
      { learner: 'alpha', params: { b: 1 } },
      { learner: 'zeta', params: { a: 1 } },
      { learner: 'alpha', params: { b: 2 } },
      { learner: 'zeta', params: { a: 2 } },
      { learner: 'zeta', params: { a: 3 } },
    ]);
    expect(referenceFor('binary', learners)).toBe('ref');
    expect(referenceFor('regression', learners)).toBeUndefined();
    expect(referenceFor('regression')).toBe('baseline');
  });
});
