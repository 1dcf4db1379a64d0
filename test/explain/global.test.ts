import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GlobalImportance } from '../../src/explain/global.js';
import { runCli, tempDir } from '../helpers.js';

describe('global importance on the test rows', () => {
  it('puts the column the target depends on first, by mean |SHAP| and by a permutation drop far outside its noise band, and a pure-noise column at a drop within its band; summary.json and the report carry it', () => {
    const dir = tempDir('hyperplane-global-');
    let seed = 11;
    const rand = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const lines = ['signal,weak,noise,plan,label'];
    for (let i = 0; i < 1500; i++) {
      const signal = rand() * 10;
      const weak = rand() * 10;
      const plan = ['basic', 'pro', 'team'][Math.floor(rand() * 3)]!;
      const z = (signal - 5) * 1.5 + (weak - 5) * 0.2 + (plan === 'pro' ? 0.5 : 0) + (rand() - 0.5);
      lines.push(`${signal.toFixed(3)},${weak.toFixed(3)},${(rand() * 10).toFixed(3)},${plan},${z > 0 ? 'yes' : 'no'}`);
    }
    writeFileSync(join(dir, 'data.csv'), `${lines.join('\n')}\n`);
    const r = runCli(['train', join(dir, 'data.csv'), '--target', 'label', '--learner', 'logistic', '--no-track', '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    const drivers = (JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { drivers: GlobalImportance }).drivers;
    expect(drivers).toMatchObject({ rows: 300, metric: 'auc', repeats: 5, scale: 'log-odds' });
    expect(drivers.columns.map((c) => c.column).sort()).toEqual(['noise', 'plan', 'signal', 'weak']);
    const [first] = drivers.columns;
    expect(first!.column).toBe('signal');
    expect(first!.permutation.drop).toBeGreaterThan(5 * first!.permutation.sd + 0.05);
    const noise = drivers.columns.find((c) => c.column === 'noise')!;
    expect(Math.abs(noise.permutation.drop)).toBeLessThan(3 * noise.permutation.sd + 0.005);
    expect(noise.meanAbsContribution!).toBeLessThan(first!.meanAbsContribution! / 10);
    const report = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(report).toContain('What drives the predictions');
    expect(report).toContain('auc drop when shuffled');
  });
});

describe('how much permutation importance measures', () => {
  it('keeps 2,000 rows and 5 repeats for a usual model, and gives a big one on a wide table fewer rows, then fewer repeats', async () => {
    const { permutationPlan } = await import('../../src/explain/global.js');
    // 100 trees of 31 leaves on 28 columns: as before.
    expect(permutationPlan(28, 3100, 5000)).toEqual({ maxRows: 2000, repeats: 5 });
    // A linear model (one "leaf"): all of a small test set, 5 repeats.
    expect(permutationPlan(10, 1, 300)).toEqual({ maxRows: 2000, repeats: 5 });
    // Two deep 300-tree forests on 64 columns: 200 rows, 2 repeats (the digits case that ran 20 s past its budget).
    expect(permutationPlan(64, 60_000, 450)).toEqual({ maxRows: 200, repeats: 2 });
    // In between: fewer rows first, all 5 repeats kept while they fit.
    expect(permutationPlan(64, 4000, 5000)).toEqual({ maxRows: 1562, repeats: 5 });
  });
});
