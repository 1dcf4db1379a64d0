/** Two-proportion z test: for a change in a missing-value share or in a binary column's rate. */
import type { TestResult } from './ks.js';
import { normalSf } from './special.js';

/**
 * Pooled two-sided z test of successA/nA against successB/nB, as statsmodels' proportions_ztest:
 * z = (p_A − p_B) / sqrt(p(1 − p)(1/n_A + 1/n_B)) with p = (successA + successB)/(n_A + n_B).
 * When every trial in both samples succeeded (or none did) the standard error is 0 and the
 * proportions are equal: this returns z = 0, p = 1 where statsmodels gives NaN.
 */
export function twoProportionZ(successA: number, nA: number, successB: number, nB: number): TestResult {
  for (const [name, successes, trials] of [['A', successA, nA], ['B', successB, nB]] as const) {
    if (!(trials > 0) || !Number.isFinite(trials)) throw new RangeError(`n${name} must be a positive count, got ${trials}`);
    if (!(successes >= 0 && successes <= trials)) throw new RangeError(`success${name} must lie in [0, n${name}], got ${successes}`);
  }
  const pooled = (successA + successB) / (nA + nB);
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / nA + 1 / nB));
  if (standardError === 0) return { statistic: 0, pValue: 1 };
  const statistic = (successA / nA - successB / nB) / standardError;
  return { statistic, pValue: 2 * normalSf(Math.abs(statistic)) };
}
