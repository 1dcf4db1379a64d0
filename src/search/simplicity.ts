import type { Interpretability, Learner } from '../learn/contract.js';
import { LEARNERS } from '../learn/registry.js';

/** How a leaderboard entry reads to a person: its learner's kind, or an ensemble (several models averaged). */
export type ModelKind = Interpretability | 'ensemble';

/** Simplest first: what `--prefer simple` gives up accuracy for, within noise. */
export const SIMPLICITY: readonly ModelKind[] = ['constant', 'rules', 'additive', 'trees', 'opaque', 'ensemble'];

/** A learner's kind, from what it declares (`capabilities.interpretability`, else its explanations). */
export function interpretabilityOf(learner: string, learners: ReadonlyMap<string, Learner> = LEARNERS): ModelKind {
  const l = learners.get(learner);
  if (l === undefined) return 'ensemble';
  return l.capabilities.interpretability ?? (l.capabilities.explanations === 'linear' ? 'additive' : 'trees');
}

/**
 * Whether `candidate` is within noise of `best`, paired by fold: the mean of the per-fold differences (best minus
 * candidate, on a higher-is-better scale) is at most 1.645 standard errors of those differences (one-sided 90%),
 * or at most 0. With fewer than two folds there is no spread, and only a tie counts.
 */
export function withinNoise(best: readonly number[], candidate: readonly number[]): { within: boolean; gap: number; noise: number } {
  const d = best.map((b, f) => b - candidate[f]!);
  const k = d.length;
  const gap = d.reduce((s, x) => s + x, 0) / k;
  const sd = k < 2 ? 0 : Math.sqrt(d.reduce((s, x) => s + (x - gap) ** 2, 0) / (k - 1));
  const noise = (1.645 * sd) / Math.sqrt(Math.max(1, k));
  return { within: gap <= noise || gap <= 0, gap, noise };
}
