import { describe, expect, it } from 'vitest';
import { descending } from '../../src/evaluate/metrics.js';
import { Random } from '../../src/synth/random.js';

/** The order a stable comparison sort gives: higher first, NaN last, ties (0 and −0 among them) in row order. */
function reference(score: number[]): number[] {
  const key = (v: number): number => (Number.isNaN(v) ? -Infinity : v);
  return score
    .map((_, i) => i)
    .sort((a, b) => {
      const na = Number.isNaN(score[a]!);
      const nb = Number.isNaN(score[b]!);
      if (na || nb) return na === nb ? 0 : na ? 1 : -1;
      return key(score[b]!) - key(score[a]!);
    });
}

describe('descending: rows by score, best first', () => {
  it('gives a stable comparison sort’s order on small and big arrays: ties, 0 and −0, negatives, infinities, NaN, tiny gaps', () => {
    const rng = new Random(11);
    for (const n of [50, 5000, 70_000]) {
      const score = Array.from({ length: n }, (_, i) => {
        const u = rng.uniform();
        if (i % 97 === 0) return NaN;
        if (i % 89 === 0) return i % 2 === 0 ? 0 : -0;
        if (i % 83 === 0) return i % 2 === 0 ? Infinity : -Infinity;
        if (i % 7 === 0) return Math.round(u * 20) / 20; // many ties
        if (i % 5 === 0) return 0.5 + (u - 0.5) * 1e-12; // differ only in low bits
        return (u - 0.3) * 1e3;
      });
      expect(Array.from(descending(Float64Array.from(score)))).toEqual(reference(score));
    }
  });

  it('probabilities all in one narrow range (passes with one digit are skipped) still sort', () => {
    const rng = new Random(12);
    const score = Array.from({ length: 20_000 }, () => 0.25 + rng.uniform() * 1e-9);
    expect(Array.from(descending(score))).toEqual(reference(score));
  });
});
