import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture, PG_URL, postgresUnreachable, tempDir } from '../../../test/helpers.js';
import { cellText, type Table } from '../table.js';
import { readTable } from './source.js';

const rowsOf = (t: Table): (string | null)[][] => Array.from({ length: t.nRows }, (_, i) => t.columns.map((c) => cellText(c, i)));

describe('readTable', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });

  it('sniffs a semicolon-delimited CSV with quoted fields', async () => {
    const path = join(dir, 'semi.csv');
    writeFileSync(path, 'name;score;when\n"Smith; John";1.5;2024-01-02\nDoe;NA;2024-01-03\n');
    const { table } = await readTable(path);
    expect(table.columns.map((c) => [c.name, c.kind])).toEqual([
      ['name', 'text'],
      ['score', 'numeric'],
      ['when', 'datetime'],
    ]);
    expect(rowsOf(table)).toEqual([
      ['Smith; John', '1.5', '2024-01-02T00:00:00.000Z'],
      ['Doe', null, '2024-01-03T00:00:00.000Z'],
    ]);
  });

  it('lets flags override the delimiter, quote, header and column types', async () => {
    const path = join(dir, 'odd.txt');
    writeFileSync(path, "1|'a|b'|007\n2|'c'|010\n");
    const { table } = await readTable(path, { format: 'csv', delimiter: '|', quote: "'", header: false, columnTypes: { column2: 'string' } });
    expect(table.columns.map((c) => c.name)).toEqual(['column0', 'column1', 'column2']);
    expect(rowsOf(table)).toEqual([
      ['1', 'a|b', '007'],
      ['2', 'c', '010'],
    ]);
  });

  it('reads TSV, JSON, NDJSON and a glob of files into the same table', async () => {
    writeFileSync(join(dir, 'p1.tsv'), 'a\tb\n1\tx\n');
    writeFileSync(join(dir, 'p.json'), '[{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]');
    writeFileSync(join(dir, 'p.ndjson'), '{"a": 1, "b": "x"}\n{"a": 2, "b": "y"}\n');
    mkdirParts(dir);
    const tsv = await readTable(join(dir, 'p1.tsv'));
    expect(rowsOf(tsv.table)).toEqual([['1', 'x']]);
    for (const file of ['p.json', 'p.ndjson', 'parts/*.csv']) {
      const { table } = await readTable(join(dir, file));
      expect(rowsOf(table), file).toEqual([
        ['1', 'x'],
        ['2', 'y'],
      ]);
    }
  });

  it('reads Parquet', async () => {
    const { table, format } = await readTable('node_modules/vega-datasets/data/flights-3m.parquet');
    expect(format).toBe('parquet');
    expect(table.nRows).toBe(3_000_000);
    expect(table.columns.map((c) => c.name)).toEqual(['date', 'delay', 'distance', 'origin', 'destination']);
  });

  it('reads JSON with nulls as missing', async () => {
    const { table } = await readTable(fixture('movies.json'));
    const dvd = table.columns.find((c) => c.name === 'US DVD Sales');
    expect(dvd?.kind).toBe('numeric');
    expect(cellText(dvd!, 0)).toBeNull();
  });
});

function mkdirParts(dir: string): void {
  const parts = join(dir, 'parts');
  // Two files read as one table, in file-name order.
  mkdirSync(parts, { recursive: true });
  writeFileSync(join(parts, '1.csv'), 'a,b\n1,x\n');
  writeFileSync(join(parts, '2.csv'), 'a,b\n2,y\n');
}

describe('readTable from PostgreSQL', async () => {
  const unreachable = await postgresUnreachable();
  if (unreachable !== undefined && process.env['CI'] !== 'true') {
    console.warn(`skipping PostgreSQL reader tests: ${PG_URL} is unreachable (${unreachable})`);
  }
  it.skipIf(unreachable !== undefined && process.env['CI'] !== 'true')('reads a query into typed columns', async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    const table = `hp_read_${process.pid}`;
    try {
      await client.query(`CREATE TABLE ${table} (id int, amount numeric, label text, seen date, at timestamptz, ok boolean)`);
      await client.query(`INSERT INTO ${table} VALUES (1, 12.5, 'a', '2024-01-31', '2024-01-31 10:00:00+02', true), (2, NULL, NULL, NULL, NULL, false)`);
      const { table: t, format } = await readTable(PG_URL, { query: `SELECT * FROM ${table} ORDER BY id` });
      expect(format).toBe('postgres');
      expect(t.columns.map((c) => [c.name, c.kind])).toEqual([
        ['id', 'numeric'],
        ['amount', 'numeric'],
        ['label', 'text'],
        ['seen', 'datetime'],
        ['at', 'datetime'],
        ['ok', 'text'],
      ]);
      expect(rowsOf(t)).toEqual([
        ['1', '12.5', 'a', '2024-01-31T00:00:00.000Z', '2024-01-31T08:00:00.000Z', 't'],
        ['2', null, null, null, null, 'f'],
      ]);
    } finally {
      await client.query(`DROP TABLE IF EXISTS ${table}`);
      await client.end();
    }
  });

  it('asks for --query when none is given', async () => {
    await expect(readTable(PG_URL)).rejects.toThrow('a PostgreSQL source needs --query "select …"');
  });
});
