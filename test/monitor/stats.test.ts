import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  chiSquare, chiSquareContingency, chiSquareSf, jensenShannon, kolmogorovSf, ksBinned, ksTwoSample,
  normalSf, psi, twoProportionZ, wassersteinBinned, wassersteinDistance,
} from '../../src/monitor/stats/index.js';
import { ROOT } from '../helpers.js';

interface KsCase { a: string; b: string; statistic: number; pValue: number; exact: boolean; kolmogorovPValue: number }
interface KsBinnedCase { a: string; b: string; countsA: number[]; countsB: number[]; statistic: number; pValue: number; rawStatistic: number }
interface ChiCase { statistic: number; pValue: number; dof: number }
interface Fixture {
  samples: Record<string, number[]>;
  ks: KsCase[];
  ksBinned: KsBinnedCase[];
  chiSquare: (ChiCase & { observed: number[]; expected: number[] })[];
  chiSquareContingency: (ChiCase & { countsA: number[]; countsB: number[] })[];
  zeroColumnRefusedByScipy: boolean;
  wasserstein: { a: string; b: string; distance: number }[];
  wassersteinBinned: { edges: number[]; countsA: number[]; countsB: number[]; distance: number }[];
  jensenShannon: { p: number[]; q: number[]; natural: number; base2: number }[];
  psi: { expected: number[]; actual: number[]; epsilon: number; psi: number }[];
  twoProportionZ: { successA: number; nA: number; successB: number; nB: number; statistic: number; pValue: number }[];
  normalSf: { z: number; sf: number }[];
  chi2Sf: { x: number; dof: number; sf: number }[];
  kolmogorovSf: { x: number; sf: number }[];
}

const fixture = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'monitor', 'stats.json'), 'utf8')) as Fixture;
const sample = (name: string): number[] => {
  const values = fixture.samples[name];
  if (values === undefined) throw new Error(`no sample ${name} in stats.json`);
  return values;
};

const REL = 1e-9;
/** |actual − expected| <= rel·|expected| + abs: relative, with an absolute floor for values near 0. */
function expectClose(actual: number, expected: number, rel = REL, abs = 0): void {
  const tolerance = rel * Math.abs(expected) + abs;
  if (!(Math.abs(actual - expected) <= tolerance)) {
    expect.fail(`expected ${actual} to be within ${tolerance} of ${expected}`);
  }
}

describe('special functions against scipy', () => {
  it('normal survival function (erfc) to 1e-12', () => {
    for (const c of fixture.normalSf) expectClose(normalSf(c.z), c.sf, 1e-12);
  });
  it('chi-square survival function (regularized upper gamma) to 1e-10', () => {
    for (const c of fixture.chi2Sf) expectClose(chiSquareSf(c.x, c.dof), c.sf, 1e-10);
  });
  it('limiting Kolmogorov survival function to 1e-10', () => {
    for (const c of fixture.kolmogorovSf) expectClose(kolmogorovSf(c.x), c.sf, 1e-10, 1e-15);
  });
});

describe('ksTwoSample against scipy.stats.ks_2samp', () => {
  it.each(fixture.ks.filter((c) => c.exact).map((c) => [`${c.a} vs ${c.b}`, c] as const))('exact path: %s', (_, c) => {
    const result = ksTwoSample(sample(c.a), sample(c.b));
    expect(result.exact).toBe(true);
    expectClose(result.statistic, c.statistic);
    expectClose(result.pValue, c.pValue);
  });

  // Beyond 10 000 values scipy evaluates the finite-n one-sample law kstwo.sf(D, round(nm/(n+m)))
  // (Simard–L'Ecuyer: Pelz–Good expansion / Durbin matrix); we use its limit, Kolmogorov's law,
  // which is ~1% larger at n·m/(n+m) ≈ 5000. So: 1e-9 against kstwobign, 2% against ks_2samp.
  it.each(fixture.ks.filter((c) => !c.exact).map((c) => [`${c.a} vs ${c.b}`, c] as const))('asymptotic path: %s', (_, c) => {
    const result = ksTwoSample(sample(c.a), sample(c.b));
    expect(result.exact).toBe(false);
    expectClose(result.statistic, c.statistic);
    expectClose(result.pValue, c.kolmogorovPValue);
    expectClose(result.pValue, c.pValue, 2e-2);
  });

  it('is symmetric, and 0 with p-value 1 for identical samples', () => {
    const a = sample('med_shift_a');
    const b = sample('med_shift_b');
    const ab = ksTwoSample(a, b);
    const ba = ksTwoSample(b, a);
    expect(ba.statistic).toBe(ab.statistic);
    expectClose(ba.pValue, ab.pValue, 1e-12);
    expect(ksTwoSample(a, a)).toEqual({ statistic: 0, pValue: 1, exact: true });
    expect(ksTwoSample(Float64Array.from(a), a.slice().reverse()).statistic).toBe(0);
  });

  it('refuses empty or non-finite samples', () => {
    expect(() => ksTwoSample([], [1])).toThrow(/empty/);
    expect(() => ksTwoSample([1, NaN], [1])).toThrow(/finite/);
  });
});

describe('ksBinned', () => {
  it.each(fixture.ksBinned.map((c) => [`${c.a} vs ${c.b}`, c] as const))('matches numpy + kstwobign: %s', (_, c) => {
    const result = ksBinned(c.countsA, c.countsB);
    expectClose(result.statistic, c.statistic, REL, 1e-15);
    expectClose(result.pValue, c.pValue);
  });

  it('is a lower bound of the raw statistic on the same data', () => {
    for (const c of fixture.ksBinned) {
      const raw = ksTwoSample(sample(c.a), sample(c.b)).statistic;
      expectClose(raw, c.rawStatistic);
      expect(ksBinned(c.countsA, c.countsB).statistic).toBeLessThanOrEqual(raw + 1e-15);
    }
  });

  it('is 0 with p-value 1 for proportional histograms', () => {
    expect(ksBinned([1, 2, 3], [2, 4, 6])).toEqual({ statistic: 0, pValue: 1 });
  });
});

describe('chi-square tests against scipy', () => {
  it.each(fixture.chiSquare.map((c) => [c.observed.join(','), c] as const))('chisquare: %s', (_, c) => {
    const result = chiSquare(c.observed, c.expected);
    expect(result.dof).toBe(c.dof);
    expectClose(result.statistic, c.statistic);
    expectClose(result.pValue, c.pValue);
  });

  it.each(fixture.chiSquareContingency.map((c) => [`${c.countsA.join(',')} / ${c.countsB.join(',')}`, c] as const))(
    'chi2_contingency (Yates on 2 x 2 as scipy default): %s',
    (_, c) => {
      const result = chiSquareContingency(c.countsA, c.countsB);
      expect(result.dof).toBe(c.dof);
      expectClose(result.statistic, c.statistic);
      expectClose(result.pValue, c.pValue);
    },
  );

  it('is symmetric in the two rows and refuses a category empty in both, as scipy does', () => {
    const a = [10, 20, 30, 0, 5];
    const b = [12, 18, 25, 4, 9];
    expect(chiSquareContingency(b, a).statistic).toBeCloseTo(chiSquareContingency(a, b).statistic, 12);
    expect(fixture.zeroColumnRefusedByScipy).toBe(true);
    expect(() => chiSquareContingency([3, 0, 4], [5, 0, 6])).toThrow(/empty in both/);
    expect(() => chiSquare([1, 2], [1, 0])).toThrow(/expected\[1\] is 0/);
  });

  it('gives statistic 0 and p-value 1 for a perfect fit', () => {
    expect(chiSquare([10, 20, 30], [1, 2, 3])).toEqual({ statistic: 0, pValue: 1, dof: 2 });
    expect(chiSquareContingency([10, 20, 30], [20, 40, 60]).pValue).toBe(1);
  });
});

describe('Wasserstein distance', () => {
  it.each(fixture.wasserstein.map((c) => [`${c.a} vs ${c.b}`, c] as const))('matches scipy on raw samples: %s', (_, c) => {
    expectClose(wassersteinDistance(sample(c.a), sample(c.b)), c.distance);
  });

  it.each(fixture.wassersteinBinned.map((c, i) => [i, c] as const))('binned case %i matches the numpy integral', (_, c) => {
    expectClose(wassersteinBinned(c.edges, c.countsA, c.countsB), c.distance, REL, 1e-15);
  });

  it('is symmetric and 0 for identical inputs', () => {
    const a = sample('med_scale_a');
    const b = sample('med_scale_b');
    expectClose(wassersteinDistance(b, a), wassersteinDistance(a, b), 1e-12);
    expect(wassersteinDistance(a, Float64Array.from(a))).toBe(0);
    expect(wassersteinBinned([0, 1, 3], [2, 5], [4, 10])).toBe(0);
    expectClose(wassersteinBinned([0, 1, 3], [2, 5], [5, 1]), wassersteinBinned([0, 1, 3], [5, 1], [2, 5]), 1e-12);
  });

  it('refuses edges that do not fit the bins', () => {
    expect(() => wassersteinBinned([0, 1], [1, 2], [1, 2])).toThrow(/need 3 edges/);
    expect(() => wassersteinBinned([0, 2, 1], [1, 2], [1, 2])).toThrow(/increase/);
  });
});

describe('Jensen–Shannon distance and PSI', () => {
  it.each(fixture.jensenShannon.map((c) => [c.p.join(','), c] as const))('jensenshannon natural and base 2: %s', (_, c) => {
    expectClose(jensenShannon(c.p, c.q), c.natural, REL, 1e-15);
    expectClose(jensenShannon(c.p, c.q, 2), c.base2, REL, 1e-15);
    expectClose(jensenShannon(c.q, c.p), c.natural, REL, 1e-15);
  });

  it.each(fixture.psi.map((c) => [c.expected.join(','), c] as const))('psi with the numpy floor: %s', (_, c) => {
    expectClose(psi(c.expected, c.actual, c.epsilon), c.psi, REL, 1e-15);
  });

  it('PSI is symmetric and 0 for identical shares', () => {
    const e = [50, 0, 30, 20];
    const a = [40, 10, 30, 20];
    expectClose(psi(a, e), psi(e, a), 1e-12);
    expect(psi(e, e.map((x) => x * 3))).toBe(0);
    expect(jensenShannon(e, e)).toBe(0);
  });
});

describe('twoProportionZ', () => {
  it.each(fixture.twoProportionZ.map((c) => [`${c.successA}/${c.nA} vs ${c.successB}/${c.nB}`, c] as const))('%s', (_, c) => {
    const result = twoProportionZ(c.successA, c.nA, c.successB, c.nB);
    expectClose(result.statistic, c.statistic, REL, 1e-15);
    expectClose(result.pValue, c.pValue);
  });

  it('flips the sign when the samples swap, and gives p = 1 when nothing varies', () => {
    const ab = twoProportionZ(45, 1000, 62, 1000);
    const ba = twoProportionZ(62, 1000, 45, 1000);
    expect(ba.statistic).toBe(-ab.statistic);
    expect(ba.pValue).toBe(ab.pValue);
    expect(twoProportionZ(0, 10, 0, 20)).toEqual({ statistic: 0, pValue: 1 });
    expect(() => twoProportionZ(11, 10, 0, 20)).toThrow(/successA/);
  });
});
