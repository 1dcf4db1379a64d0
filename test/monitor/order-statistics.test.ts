import { describe, expect, it } from 'vitest';
import { numericReference, orderStatistics } from '../../src/monitor/sketch.js';
import { Random } from '../../src/synth/random.js';

describe('orderStatistics: quantiles by selection', () => {
  it('gives the sorted array at every asked rank, with ties, runs of one value and tiny ranges', () => {
    const rng = new Random(4);
    for (const [n, distinct] of [[1, 1], [2, 2], [17, 3], [1000, 5], [5000, 5000], [20000, 40]] as const) {
      const a = Float64Array.from({ length: n }, () => Math.floor(rng.uniform() * distinct) - distinct / 2);
      const sorted = Float64Array.from(a).sort();
      const ranks = Array.from({ length: 51 }, (_, k) => Math.min(n - 1, Math.round((k * (n - 1)) / 50)));
      expect(orderStatistics(Float64Array.from(a), ranks)).toEqual(ranks.map((r) => sorted[r]!));
    }
  });

  it('counts a big array on a grid first, and still gives the sorted array: spread, heavy-tailed, mostly one value', () => {
    const rng = new Random(5);
    const cases = [
      Float64Array.from({ length: 100_000 }, () => rng.normal()),
      // Heavy tails put most values in a few grid cells.
      Float64Array.from({ length: 90_000 }, () => Math.exp(rng.normal() * 4)),
      // A spike: nine in ten values equal, the rest spread.
      Float64Array.from({ length: 70_000 }, (_, i) => (i % 10 === 0 ? rng.uniform() * 1e6 : 42)),
    ];
    for (const a of cases) {
      const sorted = Float64Array.from(a).sort();
      const ranks = Array.from({ length: 51 }, (_, k) => Math.min(a.length - 1, Math.round((k * (a.length - 1)) / 50)));
      expect(orderStatistics(Float64Array.from(a), ranks)).toEqual(ranks.map((r) => sorted[r]!));
    }
  });

  it("leaves a numeric reference's edges as a full sort gives them", () => {
    const rng = new Random(9);
    const values = Float64Array.from({ length: 30000 }, (_, i) => (i % 97 === 0 ? NaN : i % 5 === 0 ? 0 : rng.normal() * 3));
    const present = Array.from(values).filter(Number.isFinite).sort((a, b) => a - b);
    const expected: number[] = [];
    for (let k = 0; k <= 50; k++) {
      const v = present[Math.min(present.length - 1, Math.round((k * (present.length - 1)) / 50))]!;
      if (expected.length === 0 || v > expected[expected.length - 1]!) expected.push(v);
    }
    const sketch = numericReference(values);
    expect(sketch.edges).toEqual(expected);
    expect(sketch.missing).toBe(Array.from(values).filter((v) => Number.isNaN(v)).length);
    expect(sketch.counts.reduce((s, c) => s + c, 0)).toBe(present.length);
  });
});
