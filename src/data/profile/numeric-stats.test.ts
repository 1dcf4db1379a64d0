import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countDistinct, summarizeNumbers, type NumericSummary } from './numeric-stats.js';
import { loadData } from '../load.js';
import { fixture, ROOT } from '../../../test/helpers.js';

/** The pandas/numpy reference holds the same statistics as a summary, less the histogram. */
type Reference = Omit<NumericSummary, 'histogram'>;

const references = JSON.parse(readFileSync(`${ROOT}/test/fixtures/reference/column-stats.json`, 'utf8')) as Record<string, Record<string, Reference>>;

describe('summarizeNumbers against pandas/numpy (fixtures from make_fixtures.py)', () => {
  for (const [file, columns] of Object.entries(references)) {
    it(file, async () => {
      const data = await loadData(fixture(file));
      for (const [name, ref] of Object.entries(columns)) {
        const column = data.table.columns.find((c) => c.name === name);
        if (column?.kind !== 'numeric') throw new Error(`${name} should be numeric`);
        const s = summarizeNumbers(column.values);
        expect({ name, count: s.count, missing: s.missing, distinct: s.distinct }).toEqual({ name, count: ref.count, missing: ref.missing, distinct: ref.distinct });
        expect(s.mean).toBeCloseTo(ref.mean, 9);
        expect(s.std).toBeCloseTo(ref.std, 9);
        expect(s.min).toBe(ref.min);
        expect(s.max).toBe(ref.max);
        for (const [q, v] of Object.entries(ref.quantiles)) expect(s.quantiles[q], `${name} ${q}`).toBeCloseTo(v, 9);
      }
    });
  }
});

describe('summarizeNumbers on awkward data', () => {
  /** numpy's default quantile: linear interpolation between order statistics. */
  const bruteQuantile = (sorted: Float64Array, p: number): number => {
    const h = (sorted.length - 1) * p;
    const lo = Math.floor(h);
    const hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (h - lo);
  };

  it.each([
    ['heavy tail', (i: number) => Math.exp((i % 97) / 4) * ((i * 7919) % 13)],
    ['mostly zeros', (i: number) => (i % 10 === 0 ? i / 3 : 0)],
    ['negative and NaN', (i: number) => (i % 17 === 0 ? NaN : -((i * 2654435761) % 1000) / 7)],
  ])('%s matches a full sort', (_, f) => {
    const values = Float64Array.from({ length: 20_001 }, (_, i) => f(i));
    const s = summarizeNumbers(values);
    const sorted = values.filter((x) => !Number.isNaN(x)).sort();
    for (const [name, p] of [['p1', 0.01], ['p25', 0.25], ['p50', 0.5], ['p99', 0.99]] as const) {
      expect(s.quantiles[name]).toBeCloseTo(bruteQuantile(sorted, p), 9);
    }
    expect(s.distinct).toBe(new Set(sorted).size);
    expect(s.histogram.counts.reduce((a, b) => a + b, 0)).toBe(sorted.length);
  });

  it('counts 0 and -0 as one value and ignores NaN', () => {
    expect(countDistinct(Float64Array.from([0, -0, NaN, 1, 1]), 4)).toBe(2);
  });

  it('handles a constant and an empty column', () => {
    expect(summarizeNumbers(Float64Array.from([2, 2, 2])).quantiles['p50']).toBe(2);
    expect(summarizeNumbers(Float64Array.from([NaN])).count).toBe(0);
  });
});

describe('summarizeNumbers near the limits of a double', () => {
  it('±1e308: finite mean, std and median, and a histogram of more than one bar', () => {
    const s = summarizeNumbers(Float64Array.from([1e308, -1e308, 3, 4, 5, 1.5]));
    expect(s.mean).toBeCloseTo(13.5 / 6, 0);
    expect(s.std / 1e308).toBeCloseTo(Math.sqrt(0.4), 9);
    expect(s.quantiles['p50']).toBe(3.5);
    expect(s.min).toBe(-1e308);
    expect(s.histogram.counts.filter((c) => c > 0).length).toBe(3);
    expect(s.histogram.edges.every(Number.isFinite)).toBe(true);
  });
  it('1e200: squares overflow though sums do not', () => {
    const s = summarizeNumbers(Float64Array.from([1e200, 2e200, 3e200]));
    expect(s.mean).toBeCloseTo(2e200, -190);
    expect(s.std / 1e200).toBeCloseTo(1, 12);
    expect(s.quantiles['p50']).toBe(2e200);
  });
});
