import { describe, expect, it } from 'vitest';
import { resolveSchema } from '../schema/schema-file.js';
import type { Column, Table } from '../table.js';
import { countDuplicateRows } from './duplicates.js';
import { profileTable } from './profile.js';

const N = 1000;
const numeric = (name: string, f: (i: number) => number): Column => ({ kind: 'numeric', name, values: Float64Array.from({ length: N }, (_, i) => f(i)) });
const text = (name: string, f: (i: number) => string | null): Column => ({ kind: 'text', name, values: Array.from({ length: N }, (_, i) => f(i)) });

/** A deterministic pseudo-random stream, so the data are the same on every run. */
const noise = (i: number): number => (((i * 2654435761) >>> 0) % 10007) / 10007;

function profile(columns: Column[], target?: string) {
  const raw: Table = { nRows: N, columns };
  const { table, columns: schema } = resolveSchema(raw);
  return profileTable(table, schema, target);
}

describe('profile warnings', () => {
  it('warns about class imbalance and explains why accuracy misleads', () => {
    const p = profile([numeric('x', noise), text('fraud', (i) => (i % 100 === 0 ? 'yes' : 'no'))], 'fraud');
    expect(p.target?.task).toBe('binary');
    expect(p.target?.classes?.map((c) => [c.label, c.count])).toEqual([
      ['no', 990],
      ['yes', 10],
    ]);
    const w = p.warnings.find((x) => x.kind === 'imbalance');
    expect(w?.message).toContain("'yes' is only 1.0% of rows");
    expect(w?.message).toContain("always predicts 'no' scores 99.0% accuracy and finds nothing");
  });

  it('flags a feature that predicts the target almost perfectly, and not an honest one', () => {
    const y = (i: number): number => (noise(i) > 0.5 ? 1 : 0);
    const p = profile(
      [
        numeric('leak', (i) => y(i) * 10 + noise(i * 3)),
        numeric('honest', (i) => y(i) + noise(i * 5) * 2),
        numeric('label', y),
      ],
      'label',
    );
    const leaks = p.warnings.filter((w) => w.kind === 'leakage').map((w) => w.column);
    expect(leaks).toEqual(['leak']);
  });

  it('flags leakage for a regression target too', () => {
    const p = profile([numeric('copy', (i) => noise(i) * 100 + 1), numeric('other', (i) => noise(i * 7)), numeric('price', (i) => noise(i) * 100)], 'price');
    expect(p.target?.task).toBe('regression');
    expect(p.warnings.filter((w) => w.kind === 'leakage').map((w) => w.column)).toEqual(['copy']);
  });

  it('counts duplicate rows, constant, mostly-missing and id-like columns', () => {
    const p = profile([
      numeric('id', (i) => i + 1),
      numeric('a', (i) => i % 500),
      text('b', (i) => (i % 500 < 250 ? 'x' : 'y')),
      text('always', () => 'same'),
      numeric('sparse', (i) => (i % 3 === 0 ? i : NaN)),
    ]);
    const kinds = p.warnings.map((w) => `${w.kind}:${w.column ?? ''}`);
    expect(kinds).toContain('id:id');
    expect(kinds).toContain('constant:always');
    expect(kinds).toContain('missing:sparse');
    // With the id column, no two rows are equal.
    expect(p.duplicateRows).toBe(0);
    expect(countDuplicateRows({ nRows: N, columns: [numeric('a', (i) => i % 500), text('b', (i) => (i % 500 < 250 ? 'x' : null))] })).toBe(500);
  });

  it('infers multiclass from a few integer labels and regression from many', () => {
    expect(profile([numeric('x', noise), numeric('stars', (i) => 1 + (i % 5))], 'stars').target?.task).toBe('multiclass');
    expect(profile([numeric('x', noise), numeric('y', (i) => i % 50)], 'y').target?.task).toBe('regression');
  });

  it('refuses a constant target and an id target with a reason', () => {
    expect(() => profile([numeric('x', noise), numeric('y', () => 1)], 'y')).toThrow(/cannot be a target: it has a single value/);
    expect(() => profile([numeric('x', noise), text('y', (i) => `user${i}`)], 'y')).toThrow(/cannot be a target: it looks like an identifier/);
  });

  it('counts rows with a missing target', () => {
    const p = profile([numeric('x', noise), text('y', (i) => (i < 10 ? null : i % 2 ? 'a' : 'b'))], 'y');
    expect(p.target?.missing).toBe(10);
    expect(p.warnings.some((w) => w.kind === 'target-missing')).toBe(true);
  });
});
