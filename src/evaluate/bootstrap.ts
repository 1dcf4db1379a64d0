import { HyperplaneError } from '../errors.js';
import { Random } from '../synth/random.js';
import { METRICS, metricOf, type EvalTask, type MetricName } from './evaluate.js';

/** Two models' scores on the same labelled rows: codes or values in `y`, n × k probabilities or n values in each. */
export interface PairedScores {
  task: EvalTask;
  metric: MetricName;
  y: ArrayLike<number>;
  /** The model being served (the champion). */
  current: Float64Array;
  /** The one that would replace it (the challenger). */
  candidate: Float64Array;
  labels: readonly string[];
}

/** How much better the candidate is, in the metric's units: positive when it is better, whichever way the metric points. */
export interface PairedGain {
  current: number;
  candidate: number;
  gain: number;
  /** The interval's ends (percentile bootstrap), at `level`. */
  low: number;
  high: number;
  level: number;
  resamples: number;
  /** Resamples whose metric was undefined for a model (one class only in the draw for AUC), left out. */
  skipped: number;
}

/**
 * The gain of `candidate` over `current` with a paired percentile-bootstrap interval: each resample draws
 * the rows with replacement once and scores both models on the same draw, so what the two share (hard
 * rows, easy rows) cancels and the interval is that of the difference, not of two separate scores.
 */
export function pairedBootstrap(s: PairedScores, options: { resamples?: number; level?: number; seed?: number } = {}): PairedGain {
  const resamples = options.resamples ?? 1000;
  const level = options.level ?? 0.9;
  const n = s.y.length;
  if (n === 0) throw new HyperplaneError('no labelled rows to compare the two models on', { field: 'holdout' });
  const k = s.task === 'regression' ? 1 : s.current.length / n;
  const sign = METRICS[s.metric].higherIsBetter ? 1 : -1;
  const score = (y: ArrayLike<number>, scores: Float64Array): number => metricOf(s.metric, s.task, y, scores, s.labels);
  const current = score(s.y, s.current);
  const candidate = score(s.y, s.candidate);
  const rng = new Random(options.seed ?? 0);
  const rows = new Int32Array(n);
  const y = new Float64Array(n);
  const a = new Float64Array(n * k);
  const b = new Float64Array(n * k);
  const gains: number[] = [];
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) rows[i] = rng.int(n);
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      y[i] = s.y[row]!;
      for (let c = 0; c < k; c++) {
        a[i * k + c] = s.current[row * k + c]!;
        b[i * k + c] = s.candidate[row * k + c]!;
      }
    }
    const g = sign * (score(y, b) - score(y, a));
    if (Number.isFinite(g)) gains.push(g);
  }
  if (gains.length === 0) throw new HyperplaneError(`${s.metric} is undefined on every resample of the ${n} compared rows (one class only?): they cannot tell the models apart`, { field: 'holdout' });
  gains.sort((p, q) => p - q);
  const tail = (1 - level) / 2;
  return { current, candidate, gain: sign * (candidate - current), low: quantile(gains, tail), high: quantile(gains, 1 - tail), level, resamples, skipped: resamples - gains.length };
}

/** The q-quantile of sorted values, interpolated between neighbours (numpy's default, "linear"). */
export function quantile(sorted: readonly number[], q: number): number {
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (at - lo) * (sorted[hi]! - sorted[lo]!);
}
