import { describe, expect, it } from 'vitest';
import { monitor } from '../../src/monitor/monitor.js';
import { parseMonitorConfig } from '../../src/monitor/alerts/config.js';
import { MAX_SEGMENT_LEVELS, OTHER, SegmentFolder, segmentsFromStore } from '../../src/monitor/segments.js';
import { categoricalReference } from '../../src/monitor/sketch.js';
import type { PredictionLog } from '../../src/store/serving.js';
import { Random } from '../../src/synth/random.js';
import { answer, LABELS, reference, row, withOutcome } from './traffic.js';

const HOUR = 3_600_000;

/** 3,000 answers over an hour, a third from each country; income doubled in FR rows only; 20 rows from IT, a country training never had. */
function traffic() {
  const rng = new Random(7);
  return Array.from({ length: 3020 }, (_, i) => {
    const r = row(rng, i);
    const request = i >= 3000 ? { ...r, country: 'IT' } : r.country === 'FR' ? { ...r, income: 2 * r.income } : r;
    const p = answer(rng, `p${i}`, HOUR + i * 1000, request);
    // Outcomes for every tenth answer: right in FR half the time, elsewhere always.
    return i % 10 === 0 ? withOutcome(p, r.country !== 'FR' || i % 20 === 0) : p;
  });
}

describe('segment views', () => {
  const ref = reference();

  it('only the FR segment drifts, on income; its own column is not judged; quality per level; unseen levels are other', () => {
    const folder = new SegmentFolder(ref, ['country'], LABELS);
    for (const p of traffic()) folder.add(p);
    const [view] = folder.views({ task: 'binary', labels: LABELS });
    expect(view).toMatchObject({ column: 'country', source: 'raw log', rows: 3020 });
    const level = (name: string) => view!.levels.find((l) => l.level === name)!;
    expect(view!.levels.map((l) => [l.level, l.rows])).toEqual([
      ['DE', 1000],
      ['ES', 1000],
      ['FR', 1000],
      [OTHER, 20],
    ]);
    expect(level('FR').drifted).toEqual(['income']);
    expect(level('FR').driftShare).toBeCloseTo(1 / 2, 12);
    for (const other of ['DE', 'ES']) {
      expect(level(other).drifted).toEqual([]);
      expect(level(other).prediction.drifted).toBe(false);
    }
    // Realized quality apart: 100 outcomes in each country, right half the time in FR.
    expect(level('FR').quality).toMatchObject({ predictions: 1000, labelled: 100, labelledShare: 0.1, metrics: { accuracy: 0.5 } });
    expect(level('DE').quality).toMatchObject({ predictions: 1000, labelled: 100, metrics: { accuracy: 1 } });
    expect(level('FR').quality.labelDelayMs).toEqual({ median: 60_000, p90: 60_000 });
    expect(level(OTHER).tooFewRows).toBe(true);
    // The whole traffic drifts on income too: the segments tell where.
    expect(monitor(ref, traffic(), { model: 'm', version: 1, since: 0, task: 'binary', labels: LABELS }).columns.find((c) => c.column === 'income')!.drifted).toBe(true);
  });

  it('a segment column that is not a categorical input is an error naming it, before any traffic is read', async () => {
    expect(() => new SegmentFolder(ref, ['city'], LABELS)).toThrow(/segment 'city': not an input of the model \(its categorical inputs: country\)/);
    let reads = 0;
    const predictions = { listWithFeedback: () => (reads++, Promise.resolve({ predictions: [], nextCursor: null })) } as unknown as PredictionLog;
    await expect(segmentsFromStore({ predictions }, ref, ['income'], { model: 'm', version: 3, since: 0 }, { task: 'binary' })).rejects.toThrow(/segment 'income': a numeric input of m\/3; segments split by a categorical input \(its categorical inputs: country\)/);
    expect(reads).toBe(0);
  });
});

describe('segment views: limits and config', () => {
  it('a column of 30 levels shows the top 19 and the rest as other', () => {
    const cities = Array.from({ length: 30 }, (_, k) => `c${String(k).padStart(2, '0')}`);
    // City k holds 60 − k rows: the order is the rows'.
    const rows = cities.flatMap((c, k) => Array.from({ length: 60 - k }, () => c));
    const base = reference();
    const ref = { ...base, columns: { ...base.columns, city: categoricalReference(rows) } };
    const rng = new Random(2);
    const folder = new SegmentFolder(ref, ['city'], LABELS);
    rows.forEach((city, i) => folder.add(answer(rng, `p${i}`, i, { ...row(rng, i), city })));
    const [view] = folder.views({ task: 'binary', labels: LABELS });
    expect(view!.levels).toHaveLength(MAX_SEGMENT_LEVELS);
    expect(view!.levels.map((l) => l.level).filter((l) => l !== OTHER)).toEqual(cities.slice(0, 19));
    expect(view!.levels.find((l) => l.level === OTHER)!.rows).toBe(rows.length - cities.slice(0, 19).reduce((s, _, k) => s + 60 - k, 0));
  });

  it("the config's monitor.segments: a list of column names", () => {
    expect(parseMonitorConfig({ segments: ['country'] }).segments).toEqual(['country']);
    expect(parseMonitorConfig({}).segments).toEqual([]);
    expect(() => parseMonitorConfig({ segments: 'country' })).toThrow(/^monitor\.segments: expected array/);
  });
});
