/** Plain numbers or a typed array: what the statistics accept. */
export type Numbers = ArrayLike<number>;

/** Refuses an empty input or one holding NaN/±Infinity: every statistic here would be meaningless. */
export function requireFiniteSample(values: Numbers, name: string): void {
  if (values.length === 0) throw new RangeError(`${name} is empty`);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`${name}[${i}] is not a finite number: ${values[i]}`);
  }
}

/** Refuses counts that are negative, non-finite or sum to zero: shares need a positive total. */
export function requireCounts(counts: Numbers, name: string): number {
  requireFiniteSample(counts, name);
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] < 0) throw new RangeError(`${name}[${i}] is negative: ${counts[i]}`);
    total += counts[i];
  }
  if (total === 0) throw new RangeError(`${name} sums to 0`);
  return total;
}

export function requireSameLength(a: Numbers, b: Numbers, names: string): void {
  if (a.length !== b.length) throw new RangeError(`${names} must have the same length, got ${a.length} and ${b.length}`);
}

/** Sorted copy in a Float64Array (its sort is numeric, unlike Array's). */
export function sortedCopy(values: Numbers): Float64Array {
  return Float64Array.from(values).sort();
}

/** Shares of the total, so callers may pass raw counts or probabilities. */
export function shares(counts: Numbers, total: number): Float64Array {
  // A plain loop: Float64Array.from with a mapping function was most of a drift report's time.
  const out = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) out[i] = counts[i]! / total;
  return out;
}
