import { describe, expect, it } from 'vitest';
import { metricOf } from '../../src/evaluate/evaluate.js';
import { selectEnsemble, type LeaderboardEntry } from '../../src/search/index.js';

// Ten rows of a binary target, scored with accuracy (a metric that counts labels).
const y = Float64Array.from([1, 1, 0, 0, 0, 0, 1, 1, 0, 0]);
const labels = ['no', 'yes'];
/** Out-of-fold scores (n × 2) from each row's probability of 'yes'. */
const scores = (p: number[]): Float64Array => Float64Array.from(p.flatMap((v) => [1 - v, v]));
const accuracy = (s: Float64Array): number => metricOf('accuracy', 'binary', y, s, labels);
const average = (...s: Float64Array[]): Float64Array => s[0]!.map((_, j) => s.reduce((t, x) => t + x[j]!, 0) / s.length);

// The best model: rows 0 and 1 narrowly wrong (0.8).
const A = scores([0.45, 0.45, 0.1, 0.1, 0.1, 0.1, 0.9, 0.9, 0.1, 0.1]);
// A weak model (0.2) whose confident 0.9s on rows 0 and 1 flip A's argmax there, and whose other
// probabilities are wrong but not enough to flip A's: averaged with A, accuracy 1.0 but a far worse Brier score.
const W = scores([0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.2, 0.2, 0.8, 0.8]);
// A's labels with softer mistakes: averaging it in lowers the Brier score and changes no label.
const C = scores([0.49, 0.49, 0.1, 0.1, 0.1, 0.1, 0.9, 0.9, 0.1, 0.1]);
// As good as A, wrong where A is right (rows 6, 7) and right where A is wrong: a real complement.
const G = scores([0.9, 0.9, 0.1, 0.1, 0.1, 0.1, 0.45, 0.45, 0.1, 0.1]);

function select(models: [string, Float64Array][]): Record<string, number> {
  const entries = models.map(([learner, s]): [LeaderboardEntry, Float64Array] => [{ learner, params: {}, score: accuracy(s), seconds: 0 }, s]);
  entries.sort((a, b) => b[0].score - a[0].score);
  const weights = selectEnsemble(
    entries.map(([e]) => e),
    new Map(entries),
    'accuracy',
    'binary',
    y,
    labels,
  );
  return Object.fromEntries([...weights].map(([e, w]) => [e.learner, w]));
}

describe('ensemble selection on a metric that counts labels', () => {
  it('does not add a weak model for the few argmaxes it flips', () => {
    // A walk on accuracy itself would take W: the average is right on every row.
    expect(accuracy(A)).toBe(0.8);
    expect(accuracy(average(A, W))).toBe(1);
    expect(select([['A', A], ['W', W]])).toEqual({ A: 1 });
  });

  it('keeps the first ensemble with the best accuracy along the walk, not a later one that only lowers the Brier score', () => {
    expect(accuracy(average(A, C))).toBe(accuracy(A));
    expect(select([['A', A], ['C', C]])).toEqual({ A: 1 });
  });

  it('adds a model that complements the best one in probabilities and in labels', () => {
    expect(accuracy(average(A, G))).toBe(1);
    expect(select([['A', A], ['G', G], ['W', W], ['C', C]])).toEqual({ A: 1, G: 1 });
  });
});
