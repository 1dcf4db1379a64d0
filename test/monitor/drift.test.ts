import { describe, expect, it } from 'vitest';
import { columnDrift, DEFAULT_DRIFT } from '../../src/monitor/drift.js';
import { addLabel, addNumbers, categoricalReference, emptyCategorical, emptyNumeric, levelIndex, merge, numericReference, type CategoricalSketch, type NumericSketch } from '../../src/monitor/sketch.js';
import { Random } from '../../src/synth/random.js';

const normals = (rng: Random, n: number, shift = 0): Float64Array => Float64Array.from({ length: n }, () => rng.normal() + shift);

function numericWindow(reference: NumericSketch, values: ArrayLike<number>): NumericSketch {
  const w = emptyNumeric(reference.edges);
  addNumbers(w, values);
  return w;
}

function labelWindow(reference: CategoricalSketch, labels: readonly (string | null)[]): CategoricalSketch {
  const w = emptyCategorical(reference.levels);
  const index = levelIndex(w);
  for (const l of labels) addLabel(w, index, l, new Set(reference.otherLevels ?? []));
  return w;
}

/** The smallest k with P(Binomial(n, p) ≤ k) ≥ level: the count a fair rate stays under that often. */
function binomialQuantile(n: number, p: number, level: number): number {
  let cdf = 0;
  let pmf = (1 - p) ** n;
  for (let k = 0; k <= n; k++) {
    cdf += pmf;
    if (cdf >= level) return k;
    pmf *= ((n - k) / (k + 1)) * (p / (1 - p));
  }
  return n;
}

describe('drift: injected changes are found in the first window', () => {
  const rng = new Random(11);
  // A reference of 20 numeric columns, 5,000 training rows.
  const columns = Array.from({ length: 20 }, () => normals(rng, 5000));
  const references = columns.map((c) => numericReference(c));

  it('a mean shift of 0.5 standard deviations in one column of 20, in a window of 1,000 rows', () => {
    const drifts = references.map((ref, j) => columnDrift(`x${j}`, ref, numericWindow(ref, normals(rng, 1000, j === 7 ? 0.5 : 0))));
    expect(drifts[7]!.drifted).toBe(true);
    expect(drifts[7]!.test).toBe('ks');
    expect(drifts[7]!.pValue).toBeLessThan(1e-6);
    expect(drifts[7]!.effect).toBeGreaterThan(0.35);
    expect(drifts[7]!.effect).toBeLessThan(0.65);
    // The shifted column stands out: its effect is the largest by far.
    const others = drifts.filter((_, j) => j !== 7).map((d) => d.effect);
    expect(Math.max(...others)).toBeLessThan(drifts[7]!.effect / 2);
  });

  it('a new category holding 5% of a window', () => {
    const labels = Array.from({ length: 5000 }, (_, i) => ['north', 'south', 'east', 'west'][i % 4]!);
    const ref = categoricalReference(labels);
    const window = Array.from({ length: 1000 }, (_, i) => (i % 20 === 0 ? 'moon' : ['north', 'south', 'east', 'west'][i % 4]!));
    const d = columnDrift('region', ref, labelWindow(ref, window));
    expect(d.drifted).toBe(true);
    expect(d.test).toBe('chi2');
    expect(d.newCategories).toEqual([{ label: 'moon', share: 0.05 }]);
    // A label the reference had, though rare enough to be "other", is not new.
    const many = Array.from({ length: 6000 }, (_, i) => `level${i % 60}`);
    const wide = categoricalReference(many);
    expect(wide.levels).toHaveLength(50);
    expect(columnDrift('code', wide, labelWindow(wide, ['level59', 'level0'])).newCategories).toEqual([]);
  });

  it('a missing share rising from 0% to 10%', () => {
    const ref = numericReference(normals(rng, 5000));
    const values = normals(rng, 1000);
    for (let i = 0; i < 1000; i += 10) values[i] = NaN;
    const d = columnDrift('income', ref, numericWindow(ref, values));
    expect(d.missing).toMatchObject({ reference: 0, window: 0.1, drifted: true });
    expect(d.missing.pValue).toBeLessThan(1e-10);
    expect(d.drifted).toBe(true);
  });
});

describe('drift: big samples do not always drift', () => {
  it('a 0.05 standard deviation shift in a window of 200,000 rows is reported with its small effect, not flagged', () => {
    const rng = new Random(5);
    const ref = numericReference(normals(rng, 20_000));
    const d = columnDrift('x', ref, numericWindow(ref, normals(rng, 200_000, 0.05)));
    expect(d.test).toBe('wasserstein');
    expect(d.effect).toBeGreaterThan(0.02);
    expect(d.effect).toBeLessThan(0.08);
    expect(d.drifted).toBe(false);
    // The same shift is no drift on a category-like column either: a 10-point move in shares is.
    const labels = (n: number, share: number): string[] => Array.from({ length: n }, (_, i) => ((i * 7919) % 1000 < share * 1000 ? 'yes' : 'no'));
    const refLabels = categoricalReference(labels(20_000, 0.3));
    expect(columnDrift('flag', refLabels, labelWindow(refLabels, labels(200_000, 0.31))).drifted).toBe(false);
    expect(columnDrift('flag', refLabels, labelWindow(refLabels, labels(200_000, 0.45))).drifted).toBe(true);
  });
});

describe('drift: false alarms stay at their rate', () => {
  it('50 stationary windows × 20 columns of 1,000 rows: flagged pairs within alpha plus a 99% binomial margin', () => {
    const rng = new Random(2024);
    const references = Array.from({ length: 20 }, () => numericReference(normals(rng, 5000)));
    let flagged = 0;
    for (let w = 0; w < 50; w++) for (const ref of references) if (columnDrift('x', ref, numericWindow(ref, normals(rng, 1000))).drifted) flagged++;
    const bound = binomialQuantile(1000, DEFAULT_DRIFT.alpha, 0.99);
    console.log(`false alarms: ${flagged} of 1,000 stationary (column, window) pairs; bound ${bound} (alpha ${DEFAULT_DRIFT.alpha}, 99% binomial margin)`);
    expect(flagged).toBeLessThanOrEqual(bound);
  });
});

describe('sketches merge', () => {
  it('two windows merged equal one window of both', () => {
    const rng = new Random(3);
    const ref = numericReference(normals(rng, 2000));
    const a = normals(rng, 300);
    const b = normals(rng, 500, 1);
    b[4] = NaN;
    const both = new Float64Array([...a, ...b]);
    const merged = merge(numericWindow(ref, a), numericWindow(ref, b));
    const whole = numericWindow(ref, both);
    expect(merged.counts).toEqual(whole.counts);
    expect(merged.missing).toBe(1);
    expect(merged.sum).toBeCloseTo(whole.sum, 9);
    expect([merged.min, merged.max]).toEqual([whole.min, whole.max]);
    const refLabels = categoricalReference(['a', 'b', 'b']);
    expect(merge(labelWindow(refLabels, ['a', 'x']), labelWindow(refLabels, ['x', 'y', null]))).toEqual(labelWindow(refLabels, ['a', 'x', 'x', 'y', null]));
  });
});

describe('the prediction score over time', () => {
  it("each window's score quartiles, read off the bins, are within a bin of the exact ones", async () => {
    const { numericReference, emptyNumeric, addNumber } = await import('../../src/monitor/sketch.js');
    const { scoreSummary } = await import('../../src/monitor/score-summary.js');
    const { Random } = await import('../../src/synth/random.js');
    const rng = new Random(9);
    const reference = numericReference(Float64Array.from({ length: 20_000 }, () => rng.uniform()));
    // A window whose scores moved up: Beta-like, squared-root of uniforms.
    const scores = Float64Array.from({ length: 5000 }, () => Math.sqrt(rng.uniform()));
    const window = emptyNumeric(reference.edges);
    for (const s of scores) addNumber(window, s);
    const summary = scoreSummary(window)!;
    const sorted = Float64Array.from(scores).sort();
    const exact = (q: number): number => sorted[Math.floor(q * (sorted.length - 1))]!;
    // A bin holds 2% of the reference's scores: 0.02 wide on uniform scores.
    expect(Math.abs(summary.p10 - exact(0.1))).toBeLessThan(0.02);
    expect(Math.abs(summary.p50 - exact(0.5))).toBeLessThan(0.02);
    expect(Math.abs(summary.p90 - exact(0.9))).toBeLessThan(0.02);
    expect(summary.mean).toBeCloseTo(scores.reduce((a, b) => a + b, 0) / scores.length, 12);
    expect(scoreSummary(emptyNumeric(reference.edges))).toBeNull();
  });
});
