import { describe, expect, it } from 'vitest';
import type { Column } from '../table.js';
import { convertColumn, inferColumn } from './infer.js';

const text = (name: string, values: (string | null)[]): Column => ({ kind: 'text', name, values });
const numeric = (name: string, values: number[]): Column => ({ kind: 'numeric', name, values: Float64Array.from(values) });
const repeat = <T>(values: T[], n: number): T[] => Array.from({ length: n }, (_, i) => values[i % values.length]!);

describe('inferColumn', () => {
  it('reads numbers written with thousands separators, currency and percent signs as numeric', () => {
    const r = inferColumn(text('price', repeat(['1,234', '$5', '12%', '7', 'NA', '3.5'], 60)), 60);
    expect(r.schema.type).toBe('numeric');
    expect(r.schema.reason).toMatch(/numbers written as text/);
    expect(r.column.kind).toBe('numeric');
    if (r.column.kind !== 'numeric') return;
    expect(Array.from(r.column.values.slice(0, 6))).toEqual([1234, 5, 12, 7, NaN, 3.5]);
  });

  it('treats the usual missing markers as missing', () => {
    const r = inferColumn(text('x', repeat(['1', '', 'NA', 'null', '?', 'N/A', '2', '3'], 80)), 80);
    expect(r.schema.type).toBe('numeric');
    if (r.column.kind !== 'numeric') return;
    expect(Array.from(r.column.values).filter(Number.isNaN)).toHaveLength(50);
  });

  it.each([
    [['yes', 'no', 'yes']],
    [['true', 'false']],
    [['Y', 'N', 'N']],
  ])('reads boolean spellings %j as binary with false first', (spelled) => {
    const r = inferColumn(text('flag', repeat(spelled, 30)), 30);
    expect(r.schema.type).toBe('binary');
    if (r.column.kind !== 'categorical') throw new Error('expected categories');
    expect(r.column.dictionary[0]!.toLowerCase()).toMatch(/^(no|false|n)$/);
  });

  it('reads 0/1 numbers as binary', () => {
    const r = inferColumn(numeric('churn', repeat([0, 1, 1], 30)), 30);
    expect(r.schema.type).toBe('binary');
    expect(r.schema.reason).toBe('2 distinct values (0, 1) in 30 rows → binary');
  });

  it('reads other pairs of numbers as numbers: a third value in new data must not be refused (digits: a pixel at 0 or 16 in training, 3 in test)', () => {
    const r = inferColumn(numeric('pixel_2_0', repeat([0, 16, 0], 30)), 30);
    expect(r.schema.type).toBe('numeric');
    const scored = convertColumn(numeric('pixel_2_0', [0, 3, 16]), r.schema.type, 3);
    expect(scored.column.kind).toBe('numeric');
  });

  it('gives categorical a readable reason', () => {
    const levels = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const r = inferColumn(text('grade', repeat(levels, 4454)), 4454);
    expect(r.schema).toEqual({ name: 'grade', type: 'categorical', reason: '7 distinct values in 4,454 rows → categorical' });
    if (r.column.kind !== 'categorical') throw new Error('expected categories');
    expect(r.column.dictionary).toEqual(levels);
  });

  it('calls unique single tokens an id and unique phrases text', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `user-${i}`);
    expect(inferColumn(text('user', ids), 50).schema.type).toBe('id');
    const titles = Array.from({ length: 50 }, (_, i) => `The story number ${i}`);
    expect(inferColumn(text('title', titles), 50).schema.type).toBe('text');
  });

  it('calls a consecutive integer column an id, but not a measurement', () => {
    expect(inferColumn(numeric('row', Array.from({ length: 100 }, (_, i) => i + 1)), 100).schema.type).toBe('id');
    expect(inferColumn(numeric('customer_id', Array.from({ length: 100 }, (_, i) => i * 7 + 3)), 100).schema.type).toBe('id');
    expect(inferColumn(numeric('weight', Array.from({ length: 100 }, (_, i) => i * 7 + 3)), 100).schema.type).toBe('numeric');
  });

  it('finds constant and all-missing columns', () => {
    expect(inferColumn(numeric('c', [3, 3, 3, NaN]), 4).schema.type).toBe('constant');
    expect(inferColumn(text('c', ['NA', null, '']), 3).schema.reason).toBe('all 3 values missing → constant');
  });

  it('reads dates written as text', () => {
    const r = inferColumn(text('released', ['Jun 12 1998', 'Aug 07 1998', null, 'Jan 01 2001']), 4);
    expect(r.schema.type).toBe('datetime');
    if (r.column.kind !== 'datetime') return;
    expect(r.column.values[0]).toBe(Date.UTC(1998, 5, 12));
    expect(r.column.values[2]).toBeNaN();
  });
});

describe('convertColumn (types from a schema file)', () => {
  it('turns integer codes into categories', () => {
    const r = convertColumn(numeric('zip', [10, 2, 10, NaN]), 'categorical', 4);
    if (r.column.kind !== 'categorical') throw new Error('expected categories');
    expect(r.column.dictionary).toEqual(['2', '10']);
    expect(Array.from(r.column.codes)).toEqual([1, 0, 1, -1]);
  });

  it('names the column, row and value that cannot be converted', () => {
    expect(() => convertColumn(text('amount', ['1', '2', 'lots']), 'numeric', 3, 'data.csv')).toThrow(
      "data.csv, column 'amount': row 3: 'lots' is not a number",
    );
  });

  it('refuses binary for a column with three values', () => {
    expect(() => convertColumn(text('c', ['a', 'b', 'c']), 'binary', 3)).toThrow(/3 distinct values; binary needs at most 2/);
  });
});
