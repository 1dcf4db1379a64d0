/** Distances between two distributions over the same bins or categories: Jensen–Shannon and PSI. */
import { type Numbers, requireCounts, requireSameLength, shares } from './validate.js';

/** x·ln(x / y), 0 when x = 0 (the limit), as scipy.special.rel_entr. */
function relativeEntropyTerm(x: number, y: number): number {
  return x > 0 ? x * Math.log(x / y) : 0;
}

/**
 * Jensen–Shannon distance, the square root of the divergence, as
 * scipy.spatial.distance.jensenshannon(p, q, base): inputs are normalized to sum 1 (counts are
 * fine), natural log unless `base` is given (base 2 bounds it by 1).
 */
export function jensenShannon(p: Numbers, q: Numbers, base?: number): number {
  requireSameLength(p, q, 'p and q');
  const sharesP = shares(p, requireCounts(p, 'p'));
  const sharesQ = shares(q, requireCounts(q, 'q'));
  let divergence = 0;
  for (let k = 0; k < sharesP.length; k++) {
    const mixture = (sharesP[k] + sharesQ[k]) / 2;
    divergence += relativeEntropyTerm(sharesP[k], mixture) + relativeEntropyTerm(sharesQ[k], mixture);
  }
  if (base !== undefined) divergence /= Math.log(base);
  // Rounding can leave -1e-17 for identical inputs; the divergence itself is never negative.
  return Math.sqrt(Math.max(0, divergence / 2));
}

/** Default share floor of `psi`: a bin empty on one side would otherwise make PSI infinite. */
export const PSI_EPSILON = 1e-4;

/**
 * Population stability index Σ (a_i − e_i)·ln(a_i / e_i) over the shares of `expected`
 * (reference) and `actual` (live) counts. Shares below `epsilon` — empty bins in particular —
 * are raised to `epsilon` and not renormalized, the usual convention; PSI then stays finite but
 * depends on the floor, so compare PSI values only under the same epsilon.
 */
export function psi(expected: Numbers, actual: Numbers, epsilon = PSI_EPSILON): number {
  requireSameLength(expected, actual, 'expected and actual');
  if (!(epsilon > 0)) throw new RangeError(`epsilon must be positive, got ${epsilon}`);
  const sharesE = shares(expected, requireCounts(expected, 'expected'));
  const sharesA = shares(actual, requireCounts(actual, 'actual'));
  let index = 0;
  for (let k = 0; k < sharesE.length; k++) {
    const e = Math.max(sharesE[k], epsilon);
    const a = Math.max(sharesA[k], epsilon);
    index += (a - e) * Math.log(a / e);
  }
  return index;
}
