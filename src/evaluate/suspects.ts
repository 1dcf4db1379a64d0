/** A row whose given label the out-of-fold probabilities confidently contradict. */
export interface SuspectRow {
  /** Its position among the scored rows. */
  position: number;
  given: number;
  suggested: number;
  /** The probability of the suggested class, and of the given one. */
  suggestedProbability: number;
  givenProbability: number;
}

/**
 * Confident learning (Northcutt, Jiang and Chuang, 2021), as cleanlab finds label issues: each class's threshold is
 * the mean out-of-fold probability of that class over the rows labelled with it; a row is suspect when some other
 * class reaches its own threshold and is, of the classes that do, the most probable. Suspects are ranked by the
 * normalized margin, the suggested class's probability less the given one's, largest first. `scores` are n × k
 * probabilities (row-major), `y` class codes.
 */
export function suspectLabels(y: ArrayLike<number>, scores: Float64Array, k: number): SuspectRow[] {
  const n = y.length;
  const sums = new Float64Array(k);
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const c = y[i]!;
    sums[c] += scores[i * k + c]!;
    counts[c]!++;
  }
  // A class nobody is labelled with has no threshold: nothing is assigned to it.
  const threshold = Array.from(sums, (s, c) => (counts[c]! > 0 ? s / counts[c]! : Infinity));
  const out: SuspectRow[] = [];
  for (let i = 0; i < n; i++) {
    const given = y[i]!;
    let best = -1;
    for (let c = 0; c < k; c++) {
      const p = scores[i * k + c]!;
      if (p >= threshold[c]! && (best < 0 || p > scores[i * k + best]!)) best = c;
    }
    if (best < 0 || best === given) continue;
    out.push({ position: i, given, suggested: best, suggestedProbability: scores[i * k + best]!, givenProbability: scores[i * k + given]! });
  }
  return out.sort((a, b) => b.suggestedProbability - b.givenProbability - (a.suggestedProbability - a.givenProbability) || a.position - b.position);
}
