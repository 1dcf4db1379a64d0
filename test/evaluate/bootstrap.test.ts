import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pairedBootstrap } from '../../src/evaluate/bootstrap.js';
import { recentHoldout } from '../../src/pipeline/retrain.js';
import type { Table } from '../../src/data/table.js';
import { ROOT } from '../helpers.js';

interface Case {
  y: number[];
  current: number[];
  candidate: number[];
  low: number;
  high: number;
}
const reference = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'reference', 'paired-bootstrap.json'), 'utf8')) as { auc: Case & { current_auc: number; candidate_auc: number }; rmse: Case & { gain: number } };

/** Binary scores as n × 2 probabilities. */
const twoColumns = (p: readonly number[]): Float64Array => Float64Array.from(p.flatMap((x) => [1 - x, x]));

describe('pairedBootstrap: the gain of one model over another on the same rows, with its interval', () => {
  it("matches NumPy and scikit-learn's 90% percentile interval of an AUC gain (20,000 resamples there), within resampling noise", () => {
    const c = reference.auc;
    const g = pairedBootstrap({ task: 'binary', metric: 'auc', y: c.y, current: twoColumns(c.current), candidate: twoColumns(c.candidate), labels: ['0', '1'] }, { resamples: 4000, seed: 3 });
    expect(g.current).toBeCloseTo(c.current_auc, 12);
    expect(g.candidate).toBeCloseTo(c.candidate_auc, 12);
    expect(g.gain).toBeCloseTo(c.candidate_auc - c.current_auc, 12);
    // The interval is ~0.086 wide; 4,000 resamples put each end within ~0.003 of the reference's.
    expect(Math.abs(g.low - c.low)).toBeLessThan(0.005);
    expect(Math.abs(g.high - c.high)).toBeLessThan(0.005);
    expect(g.level).toBe(0.9);
  });

  it('counts a fall in RMSE as a gain: the sign follows whether the metric is better higher or lower', () => {
    const c = reference.rmse;
    const g = pairedBootstrap({ task: 'regression', metric: 'rmse', y: c.y, current: Float64Array.from(c.current), candidate: Float64Array.from(c.candidate), labels: [] }, { resamples: 4000, seed: 3 });
    expect(g.gain).toBeCloseTo(c.gain, 12);
    expect(g.gain).toBeGreaterThan(0);
    expect(Math.abs(g.low - c.low)).toBeLessThan(0.006);
    expect(Math.abs(g.high - c.high)).toBeLessThan(0.006);
  });

  it('gives a zero-width interval at zero for two identical models, and is the same for the same seed', () => {
    const c = reference.auc;
    const same = twoColumns(c.current);
    const g = pairedBootstrap({ task: 'binary', metric: 'auc', y: c.y, current: same, candidate: same, labels: ['0', '1'] }, { resamples: 200 });
    expect([g.gain, g.low, g.high]).toEqual([0, 0, 0]);
    const a = pairedBootstrap({ task: 'binary', metric: 'auc', y: c.y, current: same, candidate: twoColumns(c.candidate), labels: ['0', '1'] }, { resamples: 200, seed: 5 });
    const b = pairedBootstrap({ task: 'binary', metric: 'auc', y: c.y, current: same, candidate: twoColumns(c.candidate), labels: ['0', '1'] }, { resamples: 200, seed: 5 });
    expect(a).toEqual(b);
  });
});

describe('recentHoldout: the rows the served and the new model are compared on', () => {
  const day = 86_400_000;
  // Ten rows whose times run backwards, one without a time.
  const times = Float64Array.from({ length: 10 }, (_, i) => (i === 4 ? NaN : Date.UTC(2026, 0, 20 - i)));
  const table: Table = { nRows: 10, columns: [{ kind: 'datetime', name: 'at', values: times }, { kind: 'numeric', name: 'x', values: new Float64Array(10) }] };

  it('holds out the latest share by the time column; rows without a time train', () => {
    const split = recentHoldout(table, { timeColumn: 'at', share: 0.2, seed: 0, source: 't.csv' });
    // 9 timed rows: the latest 2 are rows 0 and 1 (20 and 19 January).
    expect([...split.test]).toEqual([0, 1]);
    expect([...split.train]).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(split.how).toBe("the latest 20% of the rows by 'at' (from 2026-01-19)");
    expect(times[1]! - times[2]!).toBe(day);
  });

  it('without a time column, a stratified random share; a column that is not a time is refused by name', () => {
    const classes = Float64Array.from({ length: 10 }, (_, i) => (i < 5 ? 0 : 1));
    const split = recentHoldout(table, { seed: 1, classes, source: 't.csv' });
    expect(split.test.length).toBe(2);
    expect([...split.test].map((r) => classes[r])).toEqual([0, 1]);
    expect(() => recentHoldout({ nRows: 1, columns: [{ kind: 'text', name: 'at', values: ['x'] }] }, { timeColumn: 'at', seed: 0, source: 't.csv' })).toThrow(/holds text values: expected dates or numbers/);
  });
});
