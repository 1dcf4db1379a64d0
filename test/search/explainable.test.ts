import { describe, expect, it } from 'vitest';
import { explainableWithinNoise } from '../../src/search/auto.js';
import type { LeaderboardEntry } from '../../src/search/ensemble.js';

/** A candidate with its AUC on each of five folds. */
const entry = (learner: string, interpretability: NonNullable<LeaderboardEntry['interpretability']>, folds: number[]): LeaderboardEntry & { folds: number[] } => ({ learner, params: {}, score: folds.reduce((s, x) => s + x, 0) / folds.length, seconds: 0, interpretability, folds });

/** The fold scores of a selection: here, of its heaviest member (enough to tell the rule's two outcomes apart). */
const parts = (weights: ReadonlyMap<LeaderboardEntry, number>): number[] => ([...weights].sort((a, b) => b[1] - a[1])[0]![0] as LeaderboardEntry & { folds: number[] }).folds;

describe('auto prefers a selection that can explain its answers, within the folds noise', () => {
  const gbdt = entry('gbdt', 'trees', [0.95, 0.93, 0.96, 0.94, 0.95]);
  it('gives way to the explainable selection when the opaque one is within noise of it', () => {
    const svm = entry('rbf_svm', 'opaque', [0.96, 0.92, 0.97, 0.93, 0.95]);
    const chosen = explainableWithinNoise(new Map([[svm, 1]]), [svm, gbdt], (pool) => new Map([[pool[0]!, 1]]), parts, 'auc');
    expect([...chosen.keys()].map((e) => e.learner)).toEqual(['gbdt']);
  });

  it('keeps the opaque one when it is better on every fold, beyond the noise', () => {
    const svm = entry('rbf_svm', 'opaque', [0.99, 0.98, 0.99, 0.985, 0.99]);
    const chosen = explainableWithinNoise(new Map([[svm, 1]]), [svm, gbdt], (pool) => new Map([[pool[0]!, 1]]), parts, 'auc');
    expect([...chosen.keys()].map((e) => e.learner)).toEqual(['rbf_svm']);
  });

  it('leaves a selection without opaque members, or a pool with nothing else, as it is', () => {
    const clear = new Map([[gbdt, 1]]);
    expect(explainableWithinNoise(clear, [gbdt], () => new Map(), parts, 'auc')).toBe(clear);
    const knn = entry('knn', 'opaque', [0.9, 0.9, 0.9, 0.9, 0.9]);
    const only = new Map([[knn, 1]]);
    expect(explainableWithinNoise(only, [knn], () => new Map(), parts, 'auc')).toBe(only);
  });
});
