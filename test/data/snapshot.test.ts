import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadData } from '../../src/data/load.js';
import { loadSnapshot, snapshotBytes, tableBytes } from '../../src/data/snapshot.js';
import { sha256Hex } from '../../src/store/index.js';

const fixture = (name: string): string => join(import.meta.dirname, '..', 'fixtures', 'data', name);

/** Numbers, categories, missing values, dates, timestamps and free text in one file. */
function mixedCsv(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hp-snapshot-'));
  const path = join(dir, 'mixed.csv');
  const rows = ['id,plan,score,joined,seen,note,flag'];
  for (let i = 0; i < 60; i++) {
    const plan = i % 7 === 0 ? '' : ['basic', 'pro', 'team'][i % 3];
    const score = i % 11 === 0 ? 'NA' : (i * 1.25 - 3).toString();
    const joined = i % 13 === 0 ? '' : `2024-0${(i % 9) + 1}-1${i % 10}`;
    const seen = `2024-05-0${(i % 9) + 1} 1${i % 10}:3${i % 6}:00`;
    const note = i % 5 === 0 ? '' : `"free text, row ${i} with ""quotes"""`;
    rows.push(`${i},${plan},${score},${joined},${seen},${note},${i % 2 === 0 ? 'Yes' : 'No'}`);
  }
  writeFileSync(path, `${rows.join('\n')}\n`);
  return path;
}

describe('data snapshots', () => {
  const sources = [fixture('credit_card.csv'), fixture('penguins.json'), fixture('seattle-weather.csv'), fixture('movies.json'), fixture('wine.csv'), mixedCsv()];

  it.each(sources)('a snapshot of %s reads back with the same fingerprint and columns', async (source) => {
    const original = await loadData(source, { keepRaw: true });
    const bytes = await snapshotBytes(original.raw!);
    const back = await loadSnapshot(bytes);
    expect(back.fingerprint).toBe(original.fingerprint);
    expect(back.table.nRows).toBe(original.table.nRows);
    expect(back.schema.map((c) => [c.name, c.type])).toEqual(original.schema.map((c) => [c.name, c.type]));
  });

  it('the same data gives the same bytes, so the content address deduplicates snapshots', async () => {
    const a = await loadData(fixture('seattle-weather.csv'), { keepRaw: true });
    const b = await loadData(fixture('seattle-weather.csv'), { keepRaw: true });
    const [x, y] = [await snapshotBytes(a.raw!), await snapshotBytes(b.raw!)];
    expect(sha256Hex(x)).toBe(sha256Hex(y));
  });

  it('measures the data as read: 8 bytes a number or date, 1 a character of text', () => {
    const table = { nRows: 2, columns: [{ kind: 'numeric' as const, name: 'x', values: new Float64Array(2) }, { kind: 'text' as const, name: 't', values: ['abc', null] }] };
    expect(tableBytes(table)).toBe(16 + 3);
  });

  it('a snapshot of a read with forced column types reads back the same', async () => {
    const source = join(mkdtempSync(join(tmpdir(), 'hp-snapshot-')), 'zips.csv');
    writeFileSync(source, `zip,y\n${Array.from({ length: 30 }, (_, i) => `0${1000 + i * 7},${i % 2}`).join('\n')}\n`);
    const original = await loadData(source, { keepRaw: true, columnTypes: { zip: 'string' } });
    const back = await loadSnapshot(await snapshotBytes(original.raw!));
    expect(back.fingerprint).toBe(original.fingerprint);
    expect(back.table.columns.map((c) => c.kind)).toEqual(original.table.columns.map((c) => c.kind));
  });
});
