import { describe, expect, it } from 'vitest';
import type { Model } from '../../src/learn/contract.js';
import { fit, predict } from '../../src/learn/registry.js';
import { pickForLabels, type LabelCandidate, type LabelStrategy } from '../../src/monitor/label-queue.js';
import { Random } from '../../src/synth/random.js';

/**
 * Active labelling pays: on a synthetic stream, a model retrained on the labels `label-queue` would ask
 * for beats one retrained on as many labels picked at random. Six features, a tilted linear boundary,
 * inputs spread wide so that most of the stream is far from it (easy): a random label mostly confirms
 * what the seed model knew, an uncertain one shows where the boundary runs.
 */

const D = 6;
const W = [1.5, -2, 1, 0.5, 0, 0];
const SEED_ROWS = 40;
const POOL = 2000;
const TEST = 2000;
const PICKED = 100;

interface Rows {
  X: Float64Array;
  y: Float64Array;
}

/** Rows of the stream with their true class: 1 where 0.3 + W·x > 0. */
function stream(rng: Random, n: number): Rows {
  const X = new Float64Array(n * D);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0.3;
    for (let j = 0; j < D; j++) {
      const v = rng.normal() * 2;
      X[i * D + j] = v;
      s += W[j]! * v;
    }
    y[i] = s > 0 ? 1 : 0;
  }
  return { X, y };
}

/**
 * Logistic regression, lightly regularized. With scikit-learn's default C = 1, labels bunched at the
 * boundary are pulled back by the penalty, and uncertainty-picked labels lose to random ones on this
 * stream (a known trap of uncertainty sampling with a strongly regularized learner).
 */
const train = (rows: Rows): Promise<Model> => fit('logistic', { data: rows.X, n: rows.y.length, d: D }, rows.y, 'binary', { C: 1000 });

/** P(class 1) of each row: predict gives n × 2 class probabilities, row-major. */
function probabilityOfOne(model: Model, X: Float64Array): Float64Array {
  const p = predict(model, { data: X, n: X.length / D, d: D });
  return Float64Array.from({ length: X.length / D }, (_, i) => p[2 * i + 1]!);
}

function accuracy(model: Model, rows: Rows): number {
  const p = probabilityOfOne(model, rows.X);
  let right = 0;
  for (let i = 0; i < rows.y.length; i++) if ((p[i]! > 0.5 ? 1 : 0) === rows.y[i]) right += 1;
  return right / rows.y.length;
}

/** `a` and the rows `picked` of `b`. */
function withRows(a: Rows, b: Rows, picked: readonly number[]): Rows {
  const X = new Float64Array(a.X.length + picked.length * D);
  X.set(a.X);
  picked.forEach((r, i) => X.set(b.X.subarray(r * D, (r + 1) * D), a.X.length + i * D));
  return { X, y: Float64Array.from([...a.y, ...picked.map((r) => b.y[r]!)]) };
}

/** Accuracy on a held-out test set of models retrained on the seed labels and 100 more, picked each way. */
async function trial(seed: number): Promise<Record<LabelStrategy | 'random' | 'seed', number>> {
  const rng = new Random(seed);
  const labelled = stream(rng, SEED_ROWS);
  const pool = stream(rng, POOL);
  const test = stream(rng, TEST);
  const first = await train(labelled);
  // The pool as the seed model's logged predictions: id, input row, class probabilities.
  const p = probabilityOfOne(first, pool.X);
  const logged: (LabelCandidate & { row: number })[] = Array.from({ length: POOL }, (_, i) => ({
    id: `p${String(i).padStart(4, '0')}`,
    row: i,
    input: Object.fromEntries(Array.from(pool.X.subarray(i * D, (i + 1) * D), (v, j) => [`x${j}`, v])),
    probabilities: { '1': p[i]!, '0': 1 - p[i]! },
  }));
  const shuffled = Array.from({ length: POOL }, (_, i) => i);
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const retrained = async (picked: readonly number[]): Promise<number> => accuracy(await train(withRows(labelled, pool, picked)), test);
  const picks = (strategy: LabelStrategy): number[] => pickForLabels(logged, PICKED, strategy).map((c) => c.candidate.row);
  return {
    seed: accuracy(first, test),
    random: await retrained(shuffled.slice(0, PICKED)),
    uncertainty: await retrained(picks('uncertainty')),
    margin: await retrained(picks('margin')),
    diverse: await retrained(picks('diverse')),
  };
}

describe('active labelling on a synthetic stream', () => {
  it('retrains a better model on uncertainty-picked labels than on as many random ones', async () => {
    const trials = await Promise.all([1, 2, 3].map(trial));
    for (const t of trials) {
      expect(t.random, JSON.stringify(t)).toBeGreaterThan(t.seed);
      expect(t.uncertainty, JSON.stringify(t)).toBeGreaterThan(t.random);
      // Two classes: the margin is 2 × confidence − 1, the same ranking.
      expect(t.margin).toBe(t.uncertainty);
      expect(t.diverse, JSON.stringify(t)).toBeGreaterThan(t.random);
    }
    const mean = (k: 'uncertainty' | 'random'): number => trials.reduce((s, t) => s + t[k], 0) / trials.length;
    // Measured: 0.996 against 0.979 (errors 0.4% against 2.1%).
    expect(mean('uncertainty') - mean('random')).toBeGreaterThan(0.01);
  });
});
