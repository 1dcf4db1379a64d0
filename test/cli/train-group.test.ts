import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { runCli, tempDir } from '../helpers.js';
import { leakyCsv } from '../leaky-groups.js';

describe('train --group (rows of one customer never on both sides)', () => {
  let dir: string;
  const env = (): Record<string, string> => ({ HYPERPLANE_STORE: `sqlite:${join(dir, '.hyperplane', 'hyperplane.db')}` });
  const cli = (args: string[]) => runCli(args, { cwd: dir, env: env() });
  const gbdt = ['--target', 'churned', '--learner', 'gbdt', '--n-estimators', '30'];

  beforeAll(() => {
    dir = tempDir();
    leakyCsv(join(dir, 'leaky.csv'));
  });

  it('--cv with --group measures what random folds overstate, and leaves the id out of the model', () => {
    const random = cli(['train', 'leaky.csv', ...gbdt, '--cv', '5', '--no-track', '--out', 'random', '--json']);
    const grouped = cli(['train', 'leaky.csv', ...gbdt, '--cv', '5', '--group', 'customer', '--no-track', '--out', 'grouped', '--json']);
    expect(random.code, random.stderr).toBe(0);
    expect(grouped.code, grouped.stderr).toBe(0);
    const r = JSON.parse(random.stdout);
    const g = JSON.parse(grouped.stdout);
    expect(g.evaluation).toBe("5-fold group cross-validation over 640 rows (96 groups of 'customer')");
    expect(r.test.auc).toBeGreaterThan(0.8);
    expect(g.test.auc).toBeLessThan(r.test.auc - 0.2);
    expect(g.importance.map((i: { column: string }) => i.column)).not.toContain('customer');
    expect(g.warnings).toContain("16 rows have no 'customer': each is a group of its own");
  });

  it('a group holdout by default, in the text summary', () => {
    const r = cli(['train', 'leaky.csv', ...gbdt, '--group', 'customer', '--no-track', '--out', 'holdout']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/evaluation: group holdout: \d+ of 96 groups of 'customer' \(\d+ rows, [\d.]+%\) for test, seed 0/);
  });

  it('the covariate-shift check keeps groups whole too: whole customers held out are no shift (random folds saw AUC 0.96 by signature)', () => {
    const r = cli(['train', 'leaky.csv', ...gbdt, '--group', 'customer', '--no-track', '--out', 'shift', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const kinds = (JSON.parse(r.stdout) as { diagnostics: { kind: string }[] }).diagnostics.map((d) => d.kind);
    expect(kinds).not.toContain('shift');
  });

  it("a config's group: is recorded with the run, and reproduce trains it again identically", async () => {
    writeFileSync(join(dir, 'hyperplane.config.yaml'), 'data: leaky.csv\ntarget: churned\nlearner: gbdt\nparams:\n  n_estimators: 30\ngroup: customer\nevaluation:\n  cv: 4\n');
    const t = cli(['train', '--config', 'hyperplane.config.yaml', '--json']);
    expect(t.code, t.stderr).toBe(0);
    const trained = JSON.parse(t.stdout);
    expect(trained.evaluation).toBe("4-fold group cross-validation over 640 rows (96 groups of 'customer')");
    const store = await openStore({ uri: env()['HYPERPLANE_STORE']! });
    try {
      const run = (await store.tracking.getRun(trained.run))!;
      expect((run.config as Record<string, unknown>)['evaluation']).toEqual({ kind: 'cv', folds: 4, group: 'customer' });
    } finally {
      await store.close();
    }
    const r = cli(['reproduce', trained.run, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.identical).toBe(true);
    expect(out.metrics.find((m: { name: string }) => m.name === 'auc')).toMatchObject({ recorded: trained.test.auc, now: trained.test.auc });
    expect(JSON.parse(readFileSync(join(dir, '.hyperplane', 'runs', trained.run, 'summary.json'), 'utf8')).evaluation).toBe(trained.evaluation);
  });
});
