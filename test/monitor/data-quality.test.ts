import { describe, expect, it } from 'vitest';
import { reportText } from '../../src/cli/commands/monitor.js';
import { dataQuality } from '../../src/monitor/data-quality.js';
import { DEFAULT_DRIFT } from '../../src/monitor/drift.js';
import { driftReport, monitor } from '../../src/monitor/monitor.js';
import type { MonitorReference } from '../../src/monitor/reference.js';
import { categoricalReference, numericReference, type NumericSketch } from '../../src/monitor/sketch.js';
import { mergeWindows, WindowFolder } from '../../src/monitor/window.js';
import type { Prediction } from '../../src/store/serving.js';
import type { JsonValue } from '../../src/store/json.js';
import { Random } from '../../src/synth/random.js';

const T0 = Date.UTC(2026, 10, 1);
const HOUR = 3_600_000;

/** Training: amount in [10, 90] (those exactly its min and max), plan a/b/c. */
function reference(): MonitorReference {
  const rng = new Random(3);
  const amount = Float64Array.from({ length: 2000 }, (_, i) => (i === 0 ? 10 : i === 1 ? 90 : 10 + 80 * rng.uniform()));
  const plan = Array.from({ length: 2000 }, (_, i) => ['a', 'b', 'c'][i % 3]!);
  return { version: 1, rows: 2000, columns: { amount: numericReference(amount), plan: categoricalReference(plan) }, prediction: { source: 'held-out', score: numericReference(Float64Array.from({ length: 500 }, () => rng.uniform())) } };
}

const request = (amount: JsonValue, plan: JsonValue, i: number): Prediction => ({ id: '', model: 'm', version: 1, timestamp: T0 + i, request: { amount, plan }, response: { prediction: 0.5 }, latencyMs: 0 });

describe('data quality per window: values that broke the training schema, counted exactly', () => {
  const ref = reference();
  const rng = new Random(4);
  const folder = new WindowFolder(ref, undefined);
  // 1,000 rows: 3% of amounts not numbers, 2% above the training max, 1% below its min, 1% missing (not a break),
  // numeric strings and the exact min and max (in range); 25 labels training never had (more than a window names).
  for (let i = 0; i < 1000; i++) {
    const k = i % 100;
    const amount = k === 0 ? 'n/a' : k === 1 ? { value: 12 } : k === 2 ? 'twelve' : k === 3 || k === 4 ? 91 + i : k === 5 ? 9.5 : k === 6 ? null : k === 7 ? '42' : k === 8 ? 90 : k === 9 ? 10 : 10 + 80 * rng.uniform();
    const plan = i % 40 === 0 ? `new-${i}` : i % 100 === 11 ? ['a'] : ['a', 'b', 'c'][i % 3];
    folder.add(request(amount, plan, i));
  }
  const [window] = folder.windows();

  it('counts wrong types, values outside the training range and unknown categories', () => {
    const q = dataQuality(ref, window!);
    expect(q).toMatchObject({ rows: 1000, invalid: 30 + 10, outOfRange: 30, unknownCategory: 25 });
    expect(q.byColumn).toEqual([
      { column: 'amount', type: 'numeric', invalid: 30, outOfRange: 30, below: 10, above: 20 },
      { column: 'plan', type: 'categorical', invalid: 10, unknownCategory: 25 },
    ]);
    // Wrong types read as missing, as the model reads them: 30 + the 10 nulls.
    expect(window!.columns['amount']!.missing).toBe(40);
  });

  it('each window of a report carries it, and the range sums them; a window folded before them is "not measured"', () => {
    const second = new WindowFolder(ref, undefined);
    for (let i = 0; i < 100; i++) second.add(request(i < 5 ? 'x' : i < 7 ? 95 : 50, 'a', HOUR + i));
    const windows = [...folder.windows(), ...second.windows()];
    const report = driftReport(ref, windows, DEFAULT_DRIFT);
    expect(report.windows.map((w) => w.dataQuality?.invalid)).toEqual([40, 5]);
    expect(report.dataQuality).toMatchObject({ rows: 1100, invalid: 45, outOfRange: 32, unknownCategory: 25 });
    // An aggregate stored before these counts: its missing fields make the merge's "not measured", not a smaller count.
    const { below: _b, invalid: _i, ...olderAmount } = windows[1]!.columns['amount'] as NumericSketch;
    const older = { ...windows[1]!, columns: { ...windows[1]!.columns, amount: olderAmount } };
    const merged = dataQuality(ref, mergeWindows([windows[0]!, older])!);
    expect(merged.invalid).toBeNull();
    expect(merged.outOfRange).toBeNull();
    expect(merged.byColumn[0]).toMatchObject({ above: 22, below: null });
    expect(merged.unknownCategory).toBe(25);
  });

  it('the typed-column fold counts values below the training range too', () => {
    const typed = new WindowFolder(ref, undefined);
    typed.addColumns(1, [T0, T0 + 1, T0 + 2, T0 + 3], { amount: Float64Array.of(5, 10, 95, NaN) });
    expect(dataQuality(ref, typed.windows()[0]!).byColumn[0]).toEqual({ column: 'amount', type: 'numeric', invalid: 0, outOfRange: 2, below: 1, above: 1 });
  });

  it('the text report prints them', () => {
    const text = reportText(monitor(ref, Array.from({ length: 1000 }, (_, i) => request(i % 100 < 3 ? 'n/a' : i % 100 < 5 ? 200 : 50, 'a', i)), { model: 'm', version: 1, since: T0, task: 'regression' }));
    expect(text).toMatch(/data quality: values that broke the training schema/);
    expect(text).toMatch(/^amount\s+30 \(3\.0%\)\s+20 \(2\.0%\)/m);
    expect(text).toMatch(/30 invalid, 20 out of range/);
  });
});

describe('minimum window size', () => {
  const ref = reference();
  // Every row far above the training range: any judged window drifts.
  const shifted = (n: number, hour: number) => Array.from({ length: n }, (_, i) => request(500 + i, 'c', hour * HOUR + i));

  it('a window under minRows rows is reported as too-few-rows, not drifted; the range still counts its rows', () => {
    const report = monitor(ref, [...shifted(10, 0), ...shifted(10, 1), ...shifted(40, 2)], { model: 'm', version: 1, since: T0, task: 'regression' });
    const [a, b, c] = report.windows;
    for (const w of [a!, b!]) {
      expect(w.tooFewRows).toBe(true);
      expect(w.drifted).toEqual([]);
      expect(w.driftShareVsPrevious).toBeNull();
      expect(w.columns.every((col) => col.test === 'too-few-rows' && !col.drifted)).toBe(true);
      expect(w.prediction.test).toBe('too-few-rows');
    }
    expect(c!.tooFewRows).toBeUndefined();
    expect(c!.drifted).toContain('amount');
    // No judged window before it: nothing to compare with.
    expect(c!.driftShareVsPrevious).toBeNull();
    expect(report.columns.find((col) => col.column === 'amount')).toMatchObject({ drifted: true, rows: 60 });
    expect(reportText(report)).toMatch(/too few rows/);
    expect(reportText(report)).toMatch(/not judged/);
  });

  it('minRows is an option: 5 judges a window of 10', () => {
    const report = monitor(ref, shifted(10, 0), { model: 'm', version: 1, since: T0, task: 'regression', drift: { ...DEFAULT_DRIFT, minRows: 5 } });
    expect(report.windows[0]!.drifted).toContain('amount');
  });
});
