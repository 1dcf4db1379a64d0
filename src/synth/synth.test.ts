import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers.js';
import { readTable } from '../data/read/source.js';
import { synthesize } from './generate.js';
import { formatFixed4 } from './write-csv.js';
import { writeSynthFile } from './write.js';

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('synth', () => {
  it('writes the same bytes for the same seed, and different bytes for another', async () => {
    const dir = tempDir();
    const opts = { task: 'binary' as const, rows: 2000, features: 10, seed: 7 };
    await writeSynthFile(join(dir, 'a.csv'), opts);
    await writeSynthFile(join(dir, 'b.csv'), opts);
    await writeSynthFile(join(dir, 'c.csv'), { ...opts, seed: 8 });
    expect(sha(join(dir, 'a.csv'))).toBe(sha(join(dir, 'b.csv')));
    expect(sha(join(dir, 'a.csv'))).not.toBe(sha(join(dir, 'c.csv')));
  });

  it('makes informative, redundant and noise features', () => {
    const d = synthesize({ task: 'binary', rows: 20_000, features: 10, seed: 1 });
    expect([d.nInformative, d.nRedundant]).toEqual([4, 2]);
    // A noise feature is uncorrelated with the label; an informative one is not.
    const corr = (j: number): number => {
      let sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
      const n = d.y.length;
      for (let i = 0; i < n; i++) {
        const x = d.X[i * 10 + j]!;
        const y = d.y[i]!;
        sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y;
      }
      return (n * sxy - sx * sy) / Math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
    };
    const informative = Math.max(...[0, 1, 2, 3].map((j) => Math.abs(corr(j))));
    const noise = Math.max(...[6, 7, 8, 9].map((j) => Math.abs(corr(j))));
    expect(informative).toBeGreaterThan(0.1);
    expect(noise).toBeLessThan(0.03);
  });

  it('gives multiclass labels 0..k-1 and regression real targets', async () => {
    const multi = synthesize({ task: 'multiclass', rows: 3000, features: 5, seed: 3, classes: 4 });
    expect(new Set(multi.y)).toEqual(new Set([0, 1, 2, 3]));
    const dir = tempDir();
    await writeSynthFile(join(dir, 'r.parquet'), { task: 'regression', rows: 500, features: 4, seed: 3 });
    const { table } = await readTable(join(dir, 'r.parquet'));
    expect(table.nRows).toBe(500);
    expect(table.columns.map((c) => c.name)).toEqual(['f0', 'f1', 'f2', 'f3', 'target']);
  });

  it('formats numbers to four decimals exactly', () => {
    expect([1.23456, -0.00004, -0.5, 12, 0.99996].map(formatFixed4)).toEqual(['1.2346', '0.0000', '-0.5000', '12.0000', '1.0000']);
  });
});
