import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers.js';
import { readWithDuckDB, scanExpression } from './duckdb-reader.js';

describe('readWithDuckDB', () => {
  it('a result freed chunk by chunk as it is copied (as large ones are) reads the same table as one copied whole', async () => {
    // 40,000 rows: 20 chunks of 2,048, so the chunks copied are freed twice over, mid-read.
    const lines = ['n,label,when,maybe'];
    for (let i = 0; i < 40_000; i++) lines.push(`${i * 0.5},k${i % 7},2024-01-${String((i % 28) + 1).padStart(2, '0')},${i % 5 === 0 ? '' : i}`);
    const path = join(tempDir(), 'rows.csv');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const scan = scanExpression(path, 'csv', {});
    const whole = await readWithDuckDB(scan, Infinity);
    const freed = await readWithDuckDB(scan, 0);
    expect(freed.columns).toEqual(whole.columns);
    expect(freed.table.nRows).toBe(40_000);
    expect(freed.table).toEqual(whole.table);
    const [n, label, , maybe] = freed.table.columns;
    expect(n?.kind === 'numeric' && n.values[39_999]).toBe(19_999.5);
    expect(label?.kind === 'text' && label.values[39_999]).toBe('k1');
    expect(maybe?.kind === 'numeric' && Number.isNaN(maybe.values[39_995]!)).toBe(true);
  });
});
