import { describe, expect, it } from 'vitest';
import { foldSplit, groupFolds, holdout, kFolds, timeSplit } from '../../src/evaluate/splits.js';

// 300 rows: class 0 ×200, class 1 ×90, class 2 ×10.
const y = Float64Array.from({ length: 300 }, (_, i) => (i < 200 ? 0 : i < 290 ? 1 : 2));
const count = (rows: Int32Array, c: number): number => rows.filter((i) => y[i] === c).length;

describe('splits', () => {
  it('a stratified holdout keeps each class share on both sides, covers every row once, and is seeded', () => {
    const s = holdout(y, 0.2, 1, true);
    expect(s.test.length + s.train.length).toBe(300);
    expect(new Set([...s.test, ...s.train]).size).toBe(300);
    expect([count(s.test, 0), count(s.test, 1), count(s.test, 2)]).toEqual([40, 18, 2]);
    expect(Array.from(holdout(y, 0.2, 1, true).test)).toEqual(Array.from(s.test));
    expect(Array.from(holdout(y, 0.2, 2, true).test)).not.toEqual(Array.from(s.test));
  });

  it('stratified k-fold puts every row in one fold, with class counts within one of each other', () => {
    const folds = kFolds(y, 5, 3, true);
    for (let f = 0; f < 5; f++) {
      const { test, train } = foldSplit(folds, f);
      expect(test.length + train.length).toBe(300);
      expect(count(test, 2)).toBe(2);
      expect(Math.abs(count(test, 1) - 18)).toBeLessThanOrEqual(1);
    }
  });

  it('group k-fold never splits a group, and balances fold sizes', () => {
    const groups = Int32Array.from({ length: 300 }, (_, i) => Math.floor(i / 7));
    const folds = groupFolds(groups, 4);
    const foldOfGroup = new Map<number, number>();
    groups.forEach((g, i) => {
      if (foldOfGroup.has(g)) expect(folds[i]).toBe(foldOfGroup.get(g));
      foldOfGroup.set(g, folds[i]!);
    });
    const sizes = [0, 1, 2, 3].map((f) => folds.filter((v) => v === f).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(7);
    expect(() => groupFolds(Int32Array.of(1, 1, 2), 3)).toThrow(/needs at least 3 groups, found 2/);
  });

  it('a time split trains before the cutoff and tests from it, leaving out rows without a time', () => {
    const day = 86_400_000;
    const times = Float64Array.from({ length: 10 }, (_, i) => (i === 4 ? NaN : Date.UTC(2024, 0, 1) + i * day));
    const s = timeSplit(times, Date.UTC(2024, 0, 7), 'date');
    expect(Array.from(s.train)).toEqual([0, 1, 2, 3, 5]);
    expect(Array.from(s.test)).toEqual([6, 7, 8, 9]);
    expect(s.dropped).toBe(1);
    expect(() => timeSplit(times, Date.UTC(2030, 0, 1), 'date')).toThrow(/column 'date': no rows on or after 2030-01-01 to test on/);
  });

  it('bad settings are clear errors', () => {
    expect(() => holdout(y, 1.5, 0, true)).toThrow(/test share must be between 0 and 1/);
    expect(() => kFolds(y, 1, 0, true)).toThrow(/at least 2 folds/);
  });
});

describe('splits of big data', () => {
  it('a holdout of a million rows (spreading them into push overflowed the call stack)', () => {
    const y = new Float64Array(1_000_000).map((_, i) => i % 2);
    const s = holdout(y, 0.01, 0, true);
    expect(s.test.length).toBe(10_000);
    expect(s.train.length).toBe(990_000);
  });
});
