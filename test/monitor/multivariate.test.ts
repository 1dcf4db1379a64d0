import { describe, expect, it } from 'vitest';
import type { Table } from '../../src/data/table.js';
import { DEFAULT_DRIFT } from '../../src/monitor/drift.js';
import { driftReport, withMultivariate } from '../../src/monitor/monitor.js';
import { aucThreshold, multivariateDrift } from '../../src/monitor/multivariate.js';
import { buildReference, type MonitorReference } from '../../src/monitor/reference.js';
import { mergeSamples, Reservoir, type RowSample } from '../../src/monitor/reservoir.js';
import { mergeWindows, WindowFolder } from '../../src/monitor/window.js';
import { Random } from '../../src/synth/random.js';

const T0 = Date.UTC(2026, 10, 1);
const HOUR = 3_600_000;

/** Training rows: x2 follows x1 closely (x2 = x1 + noise), x3 on its own, a category. */
function reference(rng: Random, n = 5000): MonitorReference {
  const x1 = Float64Array.from({ length: n }, () => rng.normal());
  const x2 = Float64Array.from(x1, (v) => v + 0.1 * rng.normal());
  const x3 = Float64Array.from({ length: n }, () => rng.normal());
  const codes = Int32Array.from({ length: n }, () => rng.int(3));
  const table: Table = {
    nRows: n,
    columns: [
      { kind: 'numeric', name: 'x1', values: x1 },
      { kind: 'numeric', name: 'x2', values: x2 },
      { kind: 'numeric', name: 'x3', values: x3 },
      { kind: 'categorical', name: 'c', codes, dictionary: ['a', 'b', 'c'] },
    ],
  };
  const scores = Float64Array.from({ length: 200 }, () => rng.uniform());
  return buildReference(table, ['x1', 'x2', 'x3', 'c'], { scores, rows: 200, source: 'held-out' }, undefined, undefined, 7);
}

/** A window of live rows: `broken` keeps each column's marginal but draws x2 apart from x1. */
function fold(ref: MonitorReference, rng: Random, n: number, broken: boolean, hour = 0): WindowFolder {
  const folder = new WindowFolder(ref, undefined);
  for (let i = 0; i < n; i++) {
    const x1 = rng.normal();
    // Var(x1 + 0.1·z) = 1.01: the same marginal either way.
    const x2 = broken ? Math.sqrt(1.01) * rng.normal() : x1 + 0.1 * rng.normal();
    folder.add({ id: '', model: 'm', version: 1, timestamp: T0 + hour * HOUR + i, request: { x1, x2, x3: rng.normal(), c: ['a', 'b', 'c'][rng.int(3)] }, response: { prediction: rng.uniform() }, latencyMs: 0 });
  }
  return folder;
}

describe('multivariate drift: a domain classifier on sampled rows', () => {
  const ref = reference(new Random(1));

  it('the reference keeps a seeded uniform sample of its rows', () => {
    expect(ref.sample?.columns).toEqual(['x1', 'x2', 'x3', 'c']);
    expect(ref.sample?.rows.length).toBe(500);
    expect(ref.sample?.seen).toBe(5000);
    expect(reference(new Random(1)).sample).toEqual(ref.sample);
  });

  it('flags a window whose columns keep their marginals but lose their correlation; column tests do not', async () => {
    const windows = fold(ref, new Random(2), 2000, true).windows();
    const columns = driftReport(ref, windows, DEFAULT_DRIFT).columns;
    // x1 and x2 each look as they did: at most a minor column drifts.
    expect(columns.filter((c) => c.drifted).length).toBeLessThanOrEqual(1);
    const found = await multivariateDrift(ref, windows);
    expect(found).not.toBeNull();
    expect(found!.range.auc).toBeGreaterThan(0.75);
    expect(found!.range.drifted).toBe(true);
    expect(found!.range.rows).toBe(500);
    expect(found!.range.features.some((f) => f.includes('x1') || f.includes('x2'))).toBe(true);
  }, 60_000);

  it('does not flag a stationary window', async () => {
    const windows = fold(ref, new Random(3), 2000, false).windows();
    const found = await multivariateDrift(ref, windows);
    expect(found!.range.auc).toBeLessThan(found!.range.threshold);
    expect(found!.range.drifted).toBe(false);
    expect(found!.windows).toHaveLength(1);
  }, 60_000);

  it('a reference without a sample (an older package) gives null, said in the report', async () => {
    const { sample: _kept, ...older } = ref;
    const windows = fold(ref, new Random(4), 200, false).windows();
    const found = await multivariateDrift(older, windows);
    expect(found).toBeNull();
    expect(withMultivariate(driftReport(older, windows), found).multivariate).toBeNull();
  });

  it('windows with too few sampled rows are not tested', async () => {
    const folder = fold(ref, new Random(5), 50, false);
    const found = await multivariateDrift(ref, folder.windows());
    expect(found!.range.auc).toBeNull();
    expect(found!.range.drifted).toBe(false);
    expect(found!.windows).toEqual([null]);
  });

  it('the threshold is 0.5 + 3 Mann–Whitney standard errors, and never under 0.55', () => {
    expect(aucThreshold(500, 500)).toBeCloseTo(0.555, 3);
    expect(aucThreshold(500, 100)).toBeCloseTo(0.5 + 3 * Math.sqrt(601 / (12 * 50_000)), 6);
    expect(aucThreshold(1e6, 1e6)).toBe(0.55);
  });
});

describe('reservoir samples', () => {
  const stream = (seen: number, tag: number, seed: number): RowSample => {
    const sample: RowSample = { columns: ['tag', 'i'], seen: 0, rows: [] };
    const reservoir = new Reservoir(sample, 500, seed);
    for (let i = 0; i < seen; i++) {
      const at = reservoir.offer();
      if (at >= 0) sample.rows[at] = [tag, i];
    }
    return sample;
  };

  it('a window keeps a uniform sample of its rows', () => {
    const s = stream(10_000, 0, 9);
    expect(s.seen).toBe(10_000);
    expect(s.rows.length).toBe(500);
    // Uniform: the mean position is the middle, give or take (sd of the mean ≈ 10000/√12/√500 ≈ 129).
    const mean = s.rows.reduce((m, r) => m + (r[1] as number), 0) / 500;
    expect(Math.abs(mean - 5000)).toBeLessThan(500);
    expect(new Set(s.rows.map((r) => r[1])).size).toBe(500);
  });

  it('merging two windows takes from each in proportion to the rows it stands for', () => {
    const merged = mergeSamples(stream(1000, 0, 1), stream(3000, 1, 2));
    expect(merged.seen).toBe(4000);
    expect(merged.rows.length).toBe(500);
    const fromA = merged.rows.filter((r) => r[0] === 0).length;
    // Hypergeometric(4000, 1000, 500): mean 125, sd ≈ 9.
    expect(fromA).toBeGreaterThan(95);
    expect(fromA).toBeLessThan(155);
    expect(mergeSamples(stream(1000, 0, 1), stream(3000, 1, 2))).toEqual(merged);
  });

  it('mergeWindows merges the windows’ samples; a window folded before samples were kept leaves the merge without one', () => {
    const a = fold(ref2(), new Random(6), 1000, false, 0).windows()[0]!;
    const b = fold(ref2(), new Random(7), 3000, false, 1).windows()[0]!;
    const merged = mergeWindows([a, b])!;
    expect(merged.sample?.seen).toBe(4000);
    expect(merged.sample?.rows.length).toBe(500);
    const { sample: _none, ...older } = b;
    expect(mergeWindows([a, older])!.sample).toBeUndefined();
    // Plain JSON: a stored aggregate reads back the same.
    expect(JSON.parse(JSON.stringify(merged))).toEqual(merged);
  });
});

let cached: MonitorReference | undefined;
function ref2(): MonitorReference {
  return (cached ??= reference(new Random(8), 1000));
}

describe('multivariate drift per window', () => {
  it('tests the latest perWindow windows with rows enough, the range always', async () => {
    const ref = ref2();
    const folders = [0, 1, 2].map((h) => fold(ref, new Random(20 + h), h === 1 ? 50 : 300, h === 2, h).windows()[0]!);
    const found = await multivariateDrift(ref, folders, { perWindow: 1 });
    expect(found!.windows.map((w) => w === null)).toEqual([true, true, false]);
    expect(found!.windows[2]!.drifted).toBe(true);
    expect(found!.windows[2]!.threshold).toBeCloseTo(aucThreshold(500, 300), 9);
    const all = await multivariateDrift(ref, folders);
    // The stationary window passes; the 50-row one is too small to test.
    expect(all!.windows.map((w) => w?.drifted ?? null)).toEqual([false, null, true]);
    const report = withMultivariate(driftReport(ref, folders), all);
    expect(report.windows.map((w) => w.multivariate?.drifted)).toEqual([false, undefined, true]);
  }, 60_000);
});

describe('a batch fold samples as a row-by-row fold does', () => {
  it('offerMany keeps the same rows as offer() one at a time', () => {
    const one: RowSample = { columns: ['i'], seen: 0, rows: [] };
    const r1 = new Reservoir(one, 50, 3);
    for (let i = 0; i < 5000; i++) {
      const at = r1.offer();
      if (at >= 0) one.rows[at] = [i];
    }
    const many: RowSample = { columns: ['i'], seen: 0, rows: [] };
    const r2 = new Reservoir(many, 50, 3);
    for (let from = 0; from < 5000; from += 700) r2.offerMany(Math.min(700, 5000 - from), (offset, at) => (many.rows[at] = [from + offset]));
    expect(many).toEqual(one);
  });
});
