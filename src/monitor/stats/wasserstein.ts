/** First Wasserstein (earth mover's) distance between two one-dimensional distributions: ∫ |F_A − F_B|. */
import { type Numbers, requireCounts, requireFiniteSample, requireSameLength, sortedCopy } from './validate.js';

/** On raw samples, each value weighing 1/n; matches scipy.stats.wasserstein_distance(a, b). */
export function wassersteinDistance(a: Numbers, b: Numbers): number {
  requireFiniteSample(a, 'a');
  requireFiniteSample(b, 'b');
  const sortedA = sortedCopy(a);
  const sortedB = sortedCopy(b);
  const n = sortedA.length;
  const m = sortedB.length;
  let i = 0;
  let j = 0;
  let previous = Math.min(sortedA[0], sortedB[0]);
  let distance = 0;
  // Both ECDFs are flat between consecutive pooled values; add |F_A − F_B| × width per step.
  while (i < n || j < m) {
    const next = Math.min(i < n ? sortedA[i] : Infinity, j < m ? sortedB[j] : Infinity);
    distance += Math.abs(i / n - j / m) * (next - previous);
    while (i < n && sortedA[i] === next) i++;
    while (j < m && sortedB[j] === next) j++;
    previous = next;
  }
  return distance;
}

/**
 * Between two histograms on the same `edges` (k + 1 finite, increasing edges for k bins: the
 * first and last bins are closed by those edges). Each bin's mass is spread uniformly, so both
 * CDFs are linear inside a bin and ∫ |F_A − F_B| is exact per bin, including where they cross.
 */
export function wassersteinBinned(edges: Numbers, countsA: Numbers, countsB: Numbers): number {
  requireSameLength(countsA, countsB, 'countsA and countsB');
  requireFiniteSample(edges, 'edges');
  if (edges.length !== countsA.length + 1) {
    throw new RangeError(`${countsA.length} bins need ${countsA.length + 1} edges, got ${edges.length}`);
  }
  for (let k = 1; k < edges.length; k++) {
    if (!(edges[k] > edges[k - 1])) throw new RangeError(`edges must increase, but edges[${k}] = ${edges[k]} <= ${edges[k - 1]}`);
  }
  const totalA = requireCounts(countsA, 'countsA');
  const totalB = requireCounts(countsB, 'countsB');
  let cumulativeA = 0;
  let cumulativeB = 0;
  let gapBefore = 0;
  let distance = 0;
  for (let k = 0; k < countsA.length; k++) {
    cumulativeA += countsA[k];
    cumulativeB += countsB[k];
    const gapAfter = cumulativeA / totalA - cumulativeB / totalB;
    distance += (edges[k + 1] - edges[k]) * meanAbsOfLinear(gapBefore, gapAfter);
    gapBefore = gapAfter;
  }
  return distance;
}

/** Mean of |g| over a bin where g runs linearly from `start` to `end`. */
function meanAbsOfLinear(start: number, end: number): number {
  if (start * end >= 0) return (Math.abs(start) + Math.abs(end)) / 2;
  // g crosses zero: two triangles, of bases proportional to |start| and |end|.
  return (start * start + end * end) / (2 * (Math.abs(start) + Math.abs(end)));
}
