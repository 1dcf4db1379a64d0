import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, runCliAsync, tempDir } from '../helpers.js';

interface SearchAnswer {
  search: string;
  metric: string;
  best: { run: string; trial: number; params: Record<string, number>; score: number };
  trials: { trial: number; run: string; params: Record<string, number>; score: number; budget?: number; reached?: number }[];
}

describe('hyperplane search', () => {
  const dir = tempDir('hyperplane-search-');
  const env = { HYPERPLANE_STORE: `sqlite:${join(dir, 'hyperplane.db')}` };
  const search = async (args: string[]): Promise<SearchAnswer> => {
    const r = await runCliAsync(['search', fixture('credit_card.csv'), '--target', 'declined', '--cv', '3', '--json', ...args], 240_000, { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as SearchAnswer;
  };

  it('random search is the same for a seed: the same trials, scores and leaderboard; each trial a run under the search, the best fitted as a run to register', async () => {
    const args = ['--learner', 'logistic', '--space', 'C=0.001..100:log', '--trials', '4', '--seed', '3'];
    const first = await search(args);
    const again = await search(args);
    const shown = (a: SearchAnswer) => a.trials.map((t) => [t.trial, t.params, t.score]);
    expect(shown(again)).toEqual(shown(first));
    expect(first.trials).toHaveLength(4);
    // Best first, by the metric.
    const scores = first.trials.map((t) => t.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(first.best.params).toEqual(first.trials[0]!.params);
    // The trials and the best model are runs under the search's run; the best one registers like any run.
    const listed = await runCliAsync(['runs', 'list', '--parent', first.search.slice(0, 8), '--json'], 60_000, { cwd: dir, env });
    const runs = (JSON.parse(listed.stdout) as { runs: { id: string; name: string; metrics: Record<string, number> }[] }).runs;
    expect(runs.map((r) => r.name).sort()).toEqual(['best of search (trial ' + first.best.trial + ')', 'trial 1', 'trial 2', 'trial 3', 'trial 4'].sort());
    const trial = runs.find((r) => r.id === first.trials[0]!.run)!;
    expect(trial.metrics['auc']).toBeCloseTo(first.trials[0]!.score, 12);
    // Fitted as `train --cv 3` measures it: the same folds, so the same score as the trial's.
    const best = runs.find((r) => r.id === first.best.run)!;
    expect(best.metrics['auc']).toBeCloseTo(first.best.score, 12);
    const registered = await runCliAsync(['models', 'register', first.best.run.slice(0, 8), '--name', 'searched'], 60_000, { cwd: dir, env });
    expect(registered.code, registered.stderr).toBe(0);
  });

  it('a grid tries every combination once', async () => {
    const grid = await search(['--learner', 'logistic', '--space', 'C=0.01..1:log,penalty=l2|none', '--strategy', 'grid', '--steps', '3', '--no-track']);
    expect(grid.trials.map((t) => JSON.stringify(t.params)).sort()).toEqual(
      [0.01, 0.1, 1].flatMap((C) => ['l2', 'none'].map((penalty) => JSON.stringify({ C, penalty }))).sort(),
    );
  });

  it('ASHA runs every configuration at the smallest budget and only the better ones at larger budgets', async () => {
    const answer = await search(['--learner', 'gbdt', '--space', 'num_leaves=7..63:log,learning_rate=0.03..0.3:log', '--strategy', 'asha', '--trials', '9', '--budget', 'n_estimators=10..90', '--no-track']);
    expect(answer.trials).toHaveLength(9);
    const reached = answer.trials.map((t) => t.reached!);
    expect(reached.filter((r) => r === 10)).toHaveLength(6);
    expect(reached.filter((r) => r === 30)).toHaveLength(2);
    expect(reached.filter((r) => r === 90)).toHaveLength(1);
    expect(answer.trials.every((t) => t.budget! <= t.reached!)).toBe(true);
  });
});
