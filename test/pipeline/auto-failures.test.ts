import { describe, expect, it, vi } from 'vitest';
import { loadData } from '../../src/data/load.js';
import { selectRows } from '../../src/data/table.js';
import { HyperplaneError } from '../../src/errors.js';
import { LearnError } from '../../src/learn/errors.js';
import { trainPipeline } from '../../src/pipeline/train.js';
import { fixture } from '../helpers.js';

/** Which learners fail, for the test at hand. */
const failing = new Set<string>();

vi.mock('../../src/learn/registry.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/learn/registry.js')>();
  return {
    ...original,
    fit: (name: string, ...rest: Parameters<typeof original.fit> extends [string, ...infer R] ? R : never) => {
      if (failing.has(name)) throw new LearnError(`${name}: the test made it fail`);
      return original.fit(name, ...rest);
    },
  };
});

const options = { target: 'diagnosis', learner: 'auto', evaluation: { kind: 'holdout' as const, share: 0.2 }, seed: 0, timeBudgetSeconds: 20 };

describe('auto: a failing candidate is dropped, not the search', () => {
  it('drops the failing family and notes why in the leaderboard', async () => {
    failing.clear();
    failing.add('logistic');
    // 300 of the 569 rows: the other candidates (knn and rbf_svm among them) cost more on more rows, and a failing family is dropped however many there are.
    const all = await loadData(fixture('breast_cancer.csv'));
    const data = { ...all, table: selectRows(all.table, Int32Array.from({ length: 300 }, (_, i) => i)) };
    const result = await trainPipeline(data, options);
    const logistic = result.leaderboard.filter((e) => e.learner === 'logistic');
    expect(logistic.length).toBeGreaterThan(0);
    for (const e of logistic) {
      expect(e.score).toBeNaN();
      expect(e.note).toMatch(/^failed: logistic: the test made it fail/);
    }
    expect(result.leaderboard.some((e) => e.learner === 'gbdt' && Number.isFinite(e.score))).toBe(true);
    expect(result.package.info.learner).not.toMatch(/logistic/);
  }, 60_000);

  it('exits 2 with each reason when every candidate fails', async () => {
    failing.clear();
    for (const l of ['baseline', 'logistic', 'gbdt', 'forest', 'scorecard', 'knn', 'rbf_svm']) failing.add(l);
    const data = await loadData(fixture('breast_cancer.csv'));
    const error = await trainPipeline(data, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HyperplaneError);
    expect((error as Error).message).toMatch(/auto: every candidate failed: baseline: the test made it fail; logistic: the test made it fail; gbdt: .*; forest: .*; scorecard: the test made it fail; knn: the test made it fail; rbf_svm: .*/);
  }, 60_000);
});
