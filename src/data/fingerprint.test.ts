import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, tempDir } from '../../test/helpers.js';
import { fingerprintTable, TableFingerprint, valueClass } from './fingerprint.js';
import { loadData } from './load.js';
import { copyCsvToParquet } from './read/duckdb-reader.js';
import type { Column, Table } from './table.js';

function sliceColumn(c: Column, start: number, end: number): Column {
  switch (c.kind) {
    case 'numeric':
    case 'datetime':
      return { ...c, values: c.values.slice(start, end) };
    case 'categorical':
      return { ...c, codes: c.codes.slice(start, end) };
    case 'text':
      return { ...c, values: c.values.slice(start, end) };
  }
}

describe('fingerprint', () => {
  it('is the same for the same data as CSV and as Parquet', async () => {
    const dir = tempDir();
    const csv = fixture('seattle-weather.csv');
    const parquet = join(dir, 'weather.parquet');
    await copyCsvToParquet(csv, parquet);
    const [a, b] = await Promise.all([loadData(csv), loadData(parquet)]);
    expect(a.format).toBe('csv');
    expect(b.format).toBe('parquet');
    expect(b.fingerprint).toBe(a.fingerprint);
  });

  it('is the same however the rows are chunked', async () => {
    const { table } = await loadData(fixture('penguins.json'));
    expect(table.columns.some((c) => c.kind === 'categorical')).toBe(true);
    const whole = fingerprintTable(table);
    for (const chunk of [1, 7, 100, 1000]) {
      const fp = new TableFingerprint(table.columns.map((c) => ({ name: c.name, kind: valueClass(c) })));
      for (let start = 0; start < table.nRows; start += chunk) fp.update(table.columns.map((c) => sliceColumn(c, start, Math.min(table.nRows, start + chunk))));
      expect(fp.digest(), `chunks of ${chunk}`).toBe(whole);
    }
  });

  it('changes when one value, a column name or the column order changes', () => {
    const base: Table = {
      nRows: 3,
      columns: [
        { kind: 'numeric', name: 'a', values: Float64Array.from([1, 2, NaN]) },
        { kind: 'text', name: 'b', values: ['x', null, 'z'] },
      ],
    };
    const fp = fingerprintTable(base);
    const changed = (columns: Column[]): string => fingerprintTable({ nRows: 3, columns });
    expect(changed([{ kind: 'numeric', name: 'a', values: Float64Array.from([1, 2, 3]) }, base.columns[1]!])).not.toBe(fp);
    expect(changed([{ kind: 'numeric', name: 'A', values: Float64Array.from([1, 2, NaN]) }, base.columns[1]!])).not.toBe(fp);
    expect(changed([base.columns[1]!, base.columns[0]!])).not.toBe(fp);
    expect(changed([base.columns[0]!, { kind: 'text', name: 'b', values: ['x', 'y', 'z'] }])).not.toBe(fp);
  });

  it('does not depend on categorical codes, only on the values they stand for', () => {
    const a: Table = { nRows: 3, columns: [{ kind: 'categorical', name: 'c', codes: Int32Array.from([0, 1, -1]), dictionary: ['p', 'q'] }] };
    const b: Table = { nRows: 3, columns: [{ kind: 'categorical', name: 'c', codes: Int32Array.from([1, 0, -1]), dictionary: ['q', 'p'] }] };
    const t: Table = { nRows: 3, columns: [{ kind: 'text', name: 'c', values: ['p', 'q', null] }] };
    expect(fingerprintTable(a)).toBe(fingerprintTable(b));
    expect(fingerprintTable(a)).toBe(fingerprintTable(t));
  });

  it('is the same for a CSV written with different quoting and line endings', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.csv'), 'x,y\n1,hello\n2,world\n');
    writeFileSync(join(dir, 'b.csv'), '"x","y"\r\n"1","hello"\r\n"2","world"\r\n');
    const [a, b] = await Promise.all([loadData(join(dir, 'a.csv')), loadData(join(dir, 'b.csv'))]);
    expect(b.fingerprint).toBe(a.fingerprint);
  });
});
