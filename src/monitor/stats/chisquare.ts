/** Pearson chi-square tests for categorical columns: goodness of fit and the 2 × k contingency table. */
import { chiSquareSf } from './special.js';
import { type Numbers, requireCounts, requireSameLength } from './validate.js';

export interface ChiSquareResult {
  statistic: number;
  pValue: number;
  dof: number;
}

/**
 * Goodness of fit of `observed` counts to `expected` (counts or shares), like
 * scipy.stats.chisquare(observed, f_exp) with f_exp first scaled to the observed total — scipy
 * itself refuses totals that differ, and a reference profile rarely has the live window's size.
 * A zero observed cell is fine (it adds its expected count); a zero expected cell is refused,
 * where scipy would return an infinite statistic.
 */
export function chiSquare(observed: Numbers, expected: Numbers): ChiSquareResult {
  requireSameLength(observed, expected, 'observed and expected');
  const observedTotal = requireCounts(observed, 'observed');
  const expectedTotal = requireCounts(expected, 'expected');
  let statistic = 0;
  for (let k = 0; k < observed.length; k++) {
    if (expected[k] === 0) throw new RangeError(`expected[${k}] is 0: a category the reference never saw cannot be tested`);
    const e = (expected[k] / expectedTotal) * observedTotal;
    statistic += ((observed[k] - e) * (observed[k] - e)) / e;
  }
  const dof = observed.length - 1;
  return { statistic, pValue: dof > 0 ? chiSquareSf(statistic, dof) : 1, dof };
}

/**
 * Chi-square test of independence on the 2 × k table [countsA; countsB], like
 * scipy.stats.chi2_contingency with its default correction=True: that applies Yates' continuity
 * correction only when dof = 1 (a 2 × 2 table), moving each cell toward its expected count by
 * min(0.5, |observed − expected|); for k > 2 the statistic is plain Pearson.
 * A category empty in both rows has expected count 0; scipy raises on it and so does this
 * (drop such categories first). A category empty in one row only is fine.
 */
export function chiSquareContingency(countsA: Numbers, countsB: Numbers): ChiSquareResult {
  requireSameLength(countsA, countsB, 'countsA and countsB');
  const totalA = requireCounts(countsA, 'countsA');
  const totalB = requireCounts(countsB, 'countsB');
  const total = totalA + totalB;
  const dof = countsA.length - 1;
  // scipy: with one column the table carries no information; statistic 0, p-value 1.
  if (dof === 0) return { statistic: 0, pValue: 1, dof };
  let statistic = 0;
  for (let k = 0; k < countsA.length; k++) {
    const column = countsA[k] + countsB[k];
    if (column === 0) throw new RangeError(`category ${k} is empty in both samples: its expected count is 0`);
    statistic += pearsonTerm(countsA[k], (totalA * column) / total, dof);
    statistic += pearsonTerm(countsB[k], (totalB * column) / total, dof);
  }
  return { statistic, pValue: chiSquareSf(statistic, dof), dof };
}

function pearsonTerm(observed: number, expected: number, dof: number): number {
  let gap = Math.abs(observed - expected);
  if (dof === 1) gap -= Math.min(0.5, gap); // Yates, as scipy's default does for 2 × 2
  return (gap * gap) / expected;
}
