import { better, METRICS, metricOf, type EvalTask as Task, type MetricName } from '../evaluate/evaluate.js';
import { LEARNERS } from '../learn/registry.js';
import type { ModelKind } from './simplicity.js';

/** A scored candidate: what the leaderboard lists. */
export interface LeaderboardEntry {
  learner: string;
  params: Record<string, unknown>;
  /** Cross-validated score on the training rows (NaN when skipped). */
  score: number;
  seconds: number;
  note?: string;
  /** How a person reads it: constant, rules, additive, trees, opaque or ensemble. */
  interpretability?: ModelKind;
  /** The standard deviation of its score across the folds (or parts of a holdout). */
  spread?: number;
  /** Measured: the median time to predict one row (JSON in, scores out), in microseconds. */
  latencyUs?: number;
  /** Its recipe and model as a package holds them, in bytes. */
  bytes?: number;
}

/**
 * Greedy ensemble selection (Caruana et al., 2004): start from the best candidate and keep adding the
 * one (repeats allowed) whose inclusion in the average most improves the out-of-fold score, until
 * nothing improves it. Returns each chosen candidate's weight (times picked).
 *
 * A metric that counts predicted labels (accuracy, F1) moves in whole rows: greedy steps on it reward a weak
 * model whose probabilities happen to flip a few rows' argmax, and those flips do not carry to new rows. For
 * such a metric the walk follows the Brier score, a proper score that credits each member for all of its
 * probabilities, and of the ensembles along the walk the one kept is the first with the best metric.
 */
export function selectEnsemble(scored: LeaderboardEntry[], oof: Map<LeaderboardEntry, Float64Array>, metric: MetricName, task: Task, y: Float64Array, labels: readonly string[], rounds = 20): Map<LeaderboardEntry, number> {
  const k = labels.length || 1;
  const sign = METRICS[metric].higherIsBetter ? 1 : -1;
  const score = (s: Float64Array): number => metricOf(metric, task, y, s, labels);
  // Higher is better on the walk's scale.
  const walk = task !== 'regression' && 'countsLabels' in METRICS[metric] ? (s: Float64Array): number => -brierScore(y, s, k) : (s: Float64Array): number => sign * score(s);
  const first = scored[0]!;
  const weights = new Map<LeaderboardEntry, number>([[first, 1]]);
  const sum = Float64Array.from(oof.get(first)!);
  let count = 1;
  let current = walk(sum);
  let kept = new Map(weights);
  let keptScore = score(sum);
  const trial = new Float64Array(sum.length);
  for (let r = 1; r < rounds; r++) {
    let pick: LeaderboardEntry | undefined;
    let pickScore = -Infinity;
    for (const e of scored) {
      const s = oof.get(e)!;
      for (let j = 0; j < sum.length; j++) trial[j] = (sum[j]! + s[j]!) / (count + 1);
      const value = walk(trial);
      if (value > pickScore) [pick, pickScore] = [e, value];
    }
    if (pick === undefined || !(pickScore > current)) break;
    const s = oof.get(pick)!;
    for (let j = 0; j < sum.length; j++) sum[j] += s[j]!;
    count++;
    current = pickScore;
    weights.set(pick, (weights.get(pick) ?? 0) + 1);
    for (let j = 0; j < sum.length; j++) trial[j] = sum[j]! / count;
    const value = score(trial);
    if (better(metric, value, keptScore)) [kept, keptScore] = [new Map(weights), value];
  }
  return kept;
}

/** The multiclass Brier score: the mean over rows of the squared distance between the probabilities and the label's one-hot row. */
function brierScore(y: Float64Array, scores: Float64Array, k: number): number {
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    for (let c = 0; c < k; c++) total += (scores[i * k + c]! - (y[i] === c ? 1 : 0)) ** 2;
  }
  return total / y.length;
}

/**
 * ensemble(gbdt(num_leaves=31,learning_rate=0.05)×2 + logistic×1): a learner chosen more than once is told
 * apart by the params whose values differ between its members.
 */
export function ensembleName(members: readonly (readonly [LeaderboardEntry, number])[]): string {
  const byLearner = new Map<string, LeaderboardEntry[]>();
  for (const [e] of members) byLearner.set(e.learner, [...(byLearner.get(e.learner) ?? []), e]);
  const label = (e: LeaderboardEntry): string => {
    const same = byLearner.get(e.learner)!;
    if (same.length < 2) return e.learner;
    if (Object.keys(e.params).length === 0) return `${e.learner}(defaults)`;
    // A param one member leaves out has its default there: compared as that, shown only where it was given.
    const full = new Map(same.map((m) => [m, withDefaults(m)]));
    const keys = [...new Set(same.flatMap((m) => Object.keys(m.params)))];
    const differing = keys.filter((k) => new Set(same.map((m) => JSON.stringify(full.get(m)![k]))).size > 1);
    return `${e.learner}(${differing.filter((k) => k in e.params).map((k) => `${k}=${String(e.params[k])}`).join(',')})`;
  };
  return `ensemble(${members.map(([e, w]) => `${label(e)}×${w}`).join(' + ')})`;
}

/** A member's params with its learner's defaults filled in, where the registry knows the learner and they parse. */
function withDefaults(e: LeaderboardEntry): Record<string, unknown> {
  const parsed = LEARNERS.get(e.learner)?.params.safeParse(e.params);
  return parsed?.success === true ? (parsed.data as Record<string, unknown>) : e.params;
}
