import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTable } from '../read/source.js';
import { writeColumns, type OutputColumn } from './columns-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'hyperplane-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Values whose shortest round-trip text differs from a fixed-digit format, a tiny and a huge one.
const numbers = Float64Array.of(0.1 + 0.2, 1 / 3, NaN, 5e-324, 1.2345678901234568e20, -0);
const columns: OutputColumn[] = [
  { name: 'id', kind: 'text', values: ['a,b', 'say "hi"', null, 'line\nbreak', 'ü', ''] },
  { name: 'prediction', kind: 'label', codes: Int32Array.of(1, 0, -1, 1, 0, 1), labels: ['no', 'yes'] },
  { name: 'proba_yes', kind: 'number', values: numbers },
];

describe('writeColumns', () => {
  it('writes CSV with a header, quoted text, labels from codes, missing as empty and numbers that round-trip', async () => {
    const path = join(dir, 'out.csv');
    await writeColumns(path, columns, 'csv');
    const text = readFileSync(path, 'utf8');
    expect(text.split('\n')[0]).toBe('id,prediction,proba_yes');
    expect(text).toContain('"a,b",yes,0.30000000000000004\n');
    expect(text).toContain('"say ""hi""",no,0.3333333333333333\n');
    expect(text).toContain('"line\nbreak",yes,5e-324\n');
    // The third row: every field missing.
    expect(text.split('\n')[3]).toBe(',,');
    const back = await readTable(path, { columnTypes: { id: 'string' } });
    const proba = back.table.columns.find((c) => c.name === 'proba_yes')!;
    expect(proba.kind).toBe('numeric');
    const values = proba.kind === 'numeric' ? Array.from(proba.values) : [];
    expect(values).toEqual(Array.from(numbers).map((v) => (Object.is(v, -0) ? -0 : v)));
  });

  it('writes Parquet with the same values and types, and leaves no temporary file behind', async () => {
    const path = join(dir, 'out.parquet');
    await writeColumns(path, columns, 'parquet');
    const back = await readTable(path);
    expect(back.table.nRows).toBe(6);
    const id = back.table.columns.find((c) => c.name === 'id')!;
    const label = back.table.columns.find((c) => c.name === 'prediction')!;
    const text = (c: typeof id, i: number): string | null => (c.kind === 'text' ? c.values[i]! : c.kind === 'categorical' ? (c.codes[i]! < 0 ? null : c.dictionary[c.codes[i]!]!) : String(c.values[i]));
    expect([0, 1, 2, 3, 4, 5].map((i) => text(id, i))).toEqual(['a,b', 'say "hi"', null, 'line\nbreak', 'ü', '']);
    expect([0, 1, 2, 3, 4, 5].map((i) => text(label, i))).toEqual(['yes', 'no', null, 'yes', 'no', 'yes']);
    const proba = back.table.columns.find((c) => c.name === 'proba_yes')!;
    expect(proba.kind === 'numeric' && Number.isNaN(proba.values[2]!)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('crosses chunk boundaries intact (more rows than one DuckDB vector)', async () => {
    const n = 5000;
    const values = Float64Array.from({ length: n }, (_, i) => i / 7);
    const ids = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : `row ${i}`));
    const path = join(dir, 'long.csv');
    await writeColumns(path, [{ name: 'id', kind: 'text', values: ids }, { name: 'v', kind: 'number', values }], 'csv');
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(n + 1);
    lines.slice(1).forEach((line, i) => {
      const [id, v] = line.split(',');
      expect(id).toBe(ids[i] ?? '');
      expect(Number(v)).toBe(values[i]); // whole numbers are written as '3.0'
    });
  });
});
