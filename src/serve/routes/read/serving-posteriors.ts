import { logGamma } from '../../../monitor/stats/index.js';
import type { RewardTally } from '../../../store/index.js';
import { armTally } from '../../policies.js';

/** One bandit arm's reward rate as the policy sees it: Beta(1 + successes, 1 + failures). */
export interface ArmPosterior {
  arm: string;
  /** Rewarded predictions (rewards summed) and the rest of those with feedback. */
  successes: number;
  failures: number;
  alpha: number;
  beta: number;
  mean: number;
  /** The central 90% interval: the 5th and 95th percentiles. */
  interval: [number, number];
}

/** Each arm's posterior from the store's reward tallies, tallied by the Bandit policy's own armTally, so the page shows what routing uses. */
export function posteriors(arms: readonly string[], tallies: readonly RewardTally[]): ArmPosterior[] {
  return arms.map((arm) => {
    const { successes, failures } = armTally(tallies, arm);
    const alpha = 1 + successes;
    const beta = 1 + failures;
    return { arm, successes, failures, alpha, beta, mean: alpha / (alpha + beta), interval: [betaQuantile(0.05, alpha, beta), betaQuantile(0.95, alpha, beta)] };
  });
}

/** The Beta(a, b) quantile by bisection on the regularized incomplete beta (60 halvings: below 1e-15). */
export function betaQuantile(p: number, a: number, b: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (incompleteBeta(mid, a, b) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** I_x(a, b), by its continued fraction (Numerical Recipes' betacf), on the side where it converges fast. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * fraction(x, a, b)) / a : 1 - (front * fraction(1 - x, b, a)) / b;
}

function fraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    for (const aa of [(m * (b - m) * x) / ((a + m2 - 1) * (a + m2)), (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1))]) {
      d = 1 + aa * d;
      if (Math.abs(d) < tiny) d = tiny;
      c = 1 + aa / c;
      if (Math.abs(c) < tiny) c = tiny;
      d = 1 / d;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}
