import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../src/synth/random.js';
import { expectRefused, runCliAsync, tempDir } from '../helpers.js';
import { leakyCsv } from '../leaky-groups.js';

interface AblateAnswer {
  run: string;
  ablation: string | null;
  metric: string;
  folds: number;
  rows: number;
  pipeline: { learner: string; weight: number }[];
  full: { score: number; perFold: number[] };
  groups: { rank: number; columns: string[]; score: number; cost: number; low: number; high: number; significant: boolean; perFold: number[] }[];
}

// Runs go to this test process's own store (runCliAsync's default), which expectRefused reads too.
describe('hyperplane ablate', () => {
  const dir = tempDir('hyperplane-ablate-');
  const data = join(dir, 'churn.csv');
  let named = '';
  let auto = '';

  /** Trains into the store and returns the run's id. */
  const train = async (args: string[]): Promise<string> => {
    const r = await runCliAsync(['train', data, '--target', 'churned', '--json', '--out', join(dir, args.join('-')), ...args], 120_000, { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { run: string }).run;
  };
  const ablate = async (args: string[]): Promise<{ stdout: string; stderr: string }> => {
    const r = await runCliAsync(['ablate', ...args], 120_000, { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    return r;
  };

  beforeAll(async () => {
    // 'signal' decides churned (up to a little label noise); the other columns carry nothing.
    const rng = new Random(11);
    const lines = ['signal,noise1,noise2,city,churned'];
    for (let i = 0; i < 300; i++) {
      const signal = rng.normal();
      lines.push(`${signal.toFixed(4)},${rng.normal().toFixed(4)},${rng.normal().toFixed(4)},${['paris', 'rome', 'oslo'][rng.int(3)]},${signal + 0.3 * rng.normal() > 0 ? 'yes' : 'no'}`);
    }
    writeFileSync(data, `${lines.join('\n')}\n`);
    named = await train(['--learner', 'logistic']);
    auto = await train(['--time-budget', '5']);
  }, 240_000);

  it('ranks the column that carries the signal first, its band clear of 0, and records the ablation under the run', async () => {
    const { stdout, stderr } = await ablate([named.slice(0, 8)]);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^ablation of run ${named.slice(0, 8)} \\(logistic on .*churn\\.csv, target churned\\), recorded as run [0-9a-f]{32}$`));
    expect(lines[1]).toMatch(/^full pipeline: auc 0\.9\d{3}, the mean over 5-fold cross-validation \(stratified\) on 300 rows, seed 0$/);
    expect(lines[3]).toBe('rank  column(s)  auc without  cost ± band');
    expect(lines[4]).toMatch(/^ {3}1 {2}signal {5}0\.[45]\d{3} {7}\+0\.\d{4} ± 0\.\d{4} {2}\*$/);
    expect(lines.slice(5, 8).map((l) => l.trim().split(/\s+/)[1]).sort()).toEqual(['city', 'noise1', 'noise2']);
    expect(stdout).toContain('band: 95% t interval of the paired per-fold differences; * the band excludes 0');
    // Progress: the full pipeline, then one line per column.
    expect(stderr.trimEnd().split('\n')).toHaveLength(5);
    expect(stderr).toMatch(/^ablate: 1\/4 without signal: auc 0\.\d{4} \(cost \+0\.\d{4} ± 0\.\d{4}\)$/m);

    const ablation = /recorded as run ([0-9a-f]{32})/.exec(lines[0]!)![1]!;
    const listed = await runCliAsync(['runs', 'list', '--parent', named.slice(0, 8), '--json'], 60_000, { cwd: dir });
    const runs = (JSON.parse(listed.stdout) as { runs: { id: string; metrics: Record<string, number> }[] }).runs;
    const recorded = runs.find((r) => r.id === ablation)!;
    expect(recorded.metrics['cost_signal']).toBeGreaterThan(0.3);
    expect(recorded.metrics['full_auc']).toBeGreaterThan(0.9);
    expect(recorded.metrics['auc']).toBeUndefined();
    expect(Object.keys(recorded.metrics).filter((m) => m.startsWith('cost_')).sort()).toEqual(['cost_city', 'cost_noise1', 'cost_noise2', 'cost_signal']);
  });

  it('--json with groups: the same figures for the same run, the noise group within its band of 0', async () => {
    const args = [named, '--groups', 'noise1,noise2;signal', '--cv', '4', '--json', '--no-track'];
    const answer = JSON.parse((await ablate(args)).stdout) as AblateAnswer;
    expect(answer.ablation).toBeNull();
    expect(answer).toMatchObject({ run: named, metric: 'auc', folds: 4, rows: 300, pipeline: [{ learner: 'logistic', weight: 1 }] });
    expect(answer.full.perFold).toHaveLength(4);
    expect(answer.groups.map((g) => [g.rank, g.columns])).toEqual([
      [1, ['signal']],
      [2, ['noise1', 'noise2']],
    ]);
    expect(answer.groups[0]!.significant).toBe(true);
    expect(answer.groups[0]!.low).toBeGreaterThan(0.2);
    expect(Math.abs(answer.groups[1]!.cost)).toBeLessThan(0.02);
    const again = JSON.parse((await ablate(args)).stdout) as AblateAnswer;
    expect(again).toEqual(answer);
  });

  it("an auto run is ablated with the members its model chose, not a new search", async () => {
    const answer = JSON.parse((await ablate([auto, '--groups', 'signal;city', '--cv', '3', '--json', '--no-track'])).stdout) as AblateAnswer;
    expect(answer.pipeline.length).toBeGreaterThan(0);
    expect(answer.groups[0]!.columns).toEqual(['signal']);
    expect(answer.groups[0]!.significant).toBe(true);
  });

  it('a run measured on group folds is ablated on them: the group column is no input, and the folds say so', async () => {
    leakyCsv(join(dir, 'leaky.csv'));
    const r = await runCliAsync(['train', join(dir, 'leaky.csv'), '--target', 'churned', '--learner', 'gbdt', '--n-estimators', '20', '--cv', '4', '--group', 'customer', '--json', '--out', join(dir, 'grouped')], 120_000, { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const grouped = (JSON.parse(r.stdout) as { run: string; test: { auc: number } });
    const { stdout } = await ablate([grouped.run, '--cv', '4', '--no-track']);
    expect(stdout).toContain("the mean over 4-fold group cross-validation (by 'customer')");
    expect(stdout).not.toMatch(/^\s+\d+\s+customer\s/m);
    const answer = JSON.parse((await ablate([grouped.run, '--cv', '4', '--no-track', '--json'])).stdout) as AblateAnswer;
    expect(answer.groups.map((g) => g.columns[0]).sort()).toEqual(['day', 'noise', 'signature']);
    // The same folds as the run's own --cv --group: the full pipeline's mean is near its pooled score, far below random folds' 0.8+.
    expect(answer.full.score).toBeLessThan(0.7);
  });

  // Bad input: exit 2 and one line naming what was wrong (rows for the bad-input table).
  describe('refuses bad input in one line', () => {
    it('a malformed --groups', () => expectRefused(['ablate', named, '--groups', 'signal;;city'], /--groups 'signal;;city': group 2 is empty; expected groups of columns like 'a,b;c'/));
    it('an unknown column in --groups lists the columns', () => expectRefused(['ablate', named, '--groups', 'signal,sgnal'], /--groups: 'sgnal' is not an input column of the run; input columns are: signal, noise1, noise2, city$/));
    it('the target in --groups', () => expectRefused(['ablate', named, '--groups', 'churned'], /--groups: 'churned' is the target/));
    it('a run train did not record (a search)', async () => {
      const search = await runCliAsync(['search', data, '--target', 'churned', '--learner', 'logistic', '--trials', '1', '--cv', '2', '--json'], 60_000, { cwd: dir });
      expect(search.code, search.stderr).toBe(0);
      const id = (JSON.parse(search.stdout) as { search: string }).search;
      await expectRefused(['ablate', id], /was not recorded by `hyperplane train` \(a search, a trial or an ablation\)/);
    });
  });
});
