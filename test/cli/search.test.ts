import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, ROOT, runCliAsync, tempDir } from '../helpers.js';
import { leakyCsv } from '../leaky-groups.js';

interface SearchAnswer {
  search: string;
  metric: string;
  folds: number | null;
  best: { run: string; trial: number; params: Record<string, number>; score: number };
  threads: number;
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
    // Two searches with the same seed, side by side: each is its own process with its own search run.
    const [first, again] = await Promise.all([search(args), search(args)]);
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
    const answer = await search(['--learner', 'gbdt', '--space', 'num_leaves=7..63:log,learning_rate=0.03..0.3:log', '--strategy', 'asha', '--trials', '9', '--budget', 'n_estimators=10..90', '--threads', '1', '--no-track']);
    expect(answer.trials).toHaveLength(9);
    const reached = answer.trials.map((t) => t.reached!);
    expect(reached.filter((r) => r === 10)).toHaveLength(6);
    expect(reached.filter((r) => r === 30)).toHaveLength(2);
    expect(reached.filter((r) => r === 90)).toHaveLength(1);
    expect(answer.trials.every((t) => t.budget! <= t.reached!)).toBe(true);
  });

  it('two threads score the same trials as one: the same leaderboard', async () => {
    const args = ['--learner', 'gbdt', '--space', 'num_leaves=7..63:log,learning_rate=0.03..0.3:log', '--trials', '4', '--seed', '2', '--no-track'];
    const [one, two] = await Promise.all([search([...args, '--threads', '1']), search([...args, '--threads', '2'])]);
    expect([one.threads, two.threads]).toEqual([1, 2]);
    expect(two.trials.map((t) => [t.trial, t.params, t.score])).toEqual(one.trials.map((t) => [t.trial, t.params, t.score]));
  });

  it('--group scores trials on whole customers (what random folds overstate), and the best is measured the same way; --time-split on the later rows', async () => {
    leakyCsv(join(dir, 'leaky.csv'));
    const run = async (args: string[]) => {
      const r = await runCliAsync(['search', join(dir, 'leaky.csv'), '--target', 'churned', '--learner', 'gbdt', '--space', 'num_leaves=4..16:log', '--budget', 'n_estimators=10..30', '--strategy', 'asha', '--trials', '3', '--threads', '1', '--json', ...args], 240_000, { cwd: dir, env });
      expect(r.code, r.stderr).toBe(0);
      return { answer: JSON.parse(r.stdout) as SearchAnswer & { plan: string }, stderr: r.stderr };
    };
    // The three searches are independent: side by side.
    const [random, grouped, timed] = await Promise.all([run(['--no-track']), run(['--group', 'customer']), run(['--time-split', 'day=2024-10-01', '--no-track'])]);
    expect(grouped.answer.plan).toBe("5-fold group cross-validation (96 groups of 'customer')");
    expect(grouped.stderr).toContain("search: warning: 16 rows have no 'customer': each is a group of its own");
    expect(random.answer.best.score).toBeGreaterThan(0.8);
    expect(grouped.answer.best.score).toBeLessThan(random.answer.best.score - 0.2);
    // The best run is measured on the same group folds: its score is the trial's.
    const best = await runCliAsync(['runs', 'show', grouped.answer.best.run.slice(0, 8), '--json'], 60_000, { cwd: dir, env });
    expect((JSON.parse(best.stdout) as { metrics: Record<string, number> }).metrics['auc']).toBeCloseTo(grouped.answer.best.score, 12);
    expect(timed.answer.plan).toMatch(/^a time split: trained on the \d+ rows before 2024-10-01, scored on the \d+ from it$/);
    expect(timed.answer.folds).toBeNull();
  });

  describe('resumed after kill -9', () => {
    const space = ['--learner', 'gbdt', '--space', 'num_leaves=7..63:log,learning_rate=0.03..0.3:log', '--seed', '5', '--threads', '1'];
    /** The search killed (SIGKILL) once it has logged `evaluations` results: its run id. */
    const killedAfter = async (args: string[], evaluations: number, data = fixture('credit_card.csv')): Promise<string> => {
      const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'search', data, '--target', 'declined', '--cv', '3', ...args], { cwd: dir, env: { ...process.env, ...env } });
      let stderr = '';
      const exited = new Promise<void>((r) => child.on('exit', () => r()));
      await new Promise<void>((resolve) => {
        child.stderr.setEncoding('utf8').on('data', (d: string) => {
          stderr += d;
          if ((stderr.match(/^search: trial /gm) ?? []).length >= evaluations) resolve();
        });
        child.on('exit', () => resolve());
      });
      child.kill('SIGKILL');
      await exited;
      expect((stderr.match(/^search: trial /gm) ?? []).length).toBeGreaterThanOrEqual(evaluations);
      return /^search: run ([0-9a-f]+)/m.exec(stderr)![1]!;
    };
    const resume = async (id: string): Promise<{ answer: SearchAnswer; stderr: string }> => {
      const r = await runCliAsync(['search', '--resume', id.slice(0, 8), '--json'], 240_000, { cwd: dir, env });
      expect(r.code, r.stderr).toBe(0);
      return { answer: JSON.parse(r.stdout) as SearchAnswer, stderr: r.stderr };
    };
    const children = async (id: string): Promise<{ name: string; status: string }[]> => {
      const listed = await runCliAsync(['runs', 'list', '--parent', id.slice(0, 8), '--json'], 60_000, { cwd: dir, env });
      return (JSON.parse(listed.stdout) as { runs: { name: string; status: string }[] }).runs;
    };

    it('random search: the finished trials are kept, not run again; the rest run; the leaderboard is the uninterrupted one', async () => {
      const args = [...space, '--trials', '8'];
      // The uninterrupted search and the one to kill run side by side (the kill waits for logged trials, not for time).
      const [whole, id] = await Promise.all([search([...args, '--no-track']), killedAfter(args, 3)]);
      const { answer, stderr } = await resume(id);
      const kept = Number(/search: (\d+) of 8 trials had finished evaluations; they are kept/.exec(stderr)![1]);
      expect(kept).toBeGreaterThanOrEqual(3);
      // Only the others were scored again.
      expect((stderr.match(/^search: trial /gm) ?? []).length).toBe(8 - kept);
      expect(answer.search).toBe(id);
      expect(answer.trials.map((t) => [t.trial, t.params, t.score])).toEqual(whole.trials.map((t) => [t.trial, t.params, t.score]));
      // One run per trial (the one cut short was taken up again), all finished, and the best fitted.
      const runs = await children(id);
      expect(runs.filter((r) => r.name.startsWith('trial ')).map((r) => r.name).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `trial ${i + 1}`).sort());
      expect(runs.filter((r) => r.name.startsWith('trial ')).every((r) => r.status === 'finished')).toBe(true);
      expect(runs.some((r) => r.name.startsWith('best of search') && r.status === 'finished')).toBe(true);
      // Three refusals, side by side.
      const [notSearch, reproduced, again] = await Promise.all([
        runCliAsync(['search', '--resume', answer.best.run.slice(0, 8)], 60_000, { cwd: dir, env }),
        runCliAsync(['reproduce', id.slice(0, 8)], 60_000, { cwd: dir, env }),
        runCliAsync(['search', '--resume', id.slice(0, 8)], 60_000, { cwd: dir, env }),
      ]);
      // A run that is not a search cannot be resumed.
      expect(notSearch.code).toBe(2);
      expect(notSearch.stderr).toMatch(/run [0-9a-f]+ is not a search: only runs recorded by `hyperplane search` can be resumed/);
      // reproduce points from the search to its best run.
      expect(reproduced.code).toBe(2);
      expect(reproduced.stderr).toMatch(new RegExp(`run ${id} is a search, not a training: reproduce its best run, ${answer.best.run.slice(0, 8)}`));
      // The search is finished: resuming it again is refused.
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/search [0-9a-f]+ finished; there is nothing to resume/);
    });

    it("the source changed meanwhile: the search goes on from its snapshot, on the same rows; without one it refuses", async () => {
      const csv = join(dir, 'changing.csv');
      const original = readFileSync(fixture('credit_card.csv'), 'utf8');
      const args = ['--learner', 'logistic', '--space', 'C=0.001..100:log', '--trials', '6', '--seed', '4', '--threads', '1'];
      writeFileSync(csv, original);
      // Both read the whole source before it changes: the uninterrupted search and the one to kill, side by side.
      const [whole, id] = await Promise.all([runCliAsync(['search', csv, '--target', 'declined', '--cv', '3', '--json', '--no-track', ...args], 240_000, { cwd: dir, env }), killedAfter(args, 2, csv)]);
      // Half the rows gone from the source.
      const lines = original.trimEnd().split('\n');
      writeFileSync(csv, `${lines.slice(0, Math.ceil(lines.length / 2)).join('\n')}\n`);
      const { answer, stderr } = await resume(id);
      expect(stderr).toMatch(/search: the source .*changing\.csv changed since the run; training from the run's snapshot \(sha256 [0-9a-f]{12}, 1,319 rows\)/);
      const shown = (a: SearchAnswer) => a.trials.map((t) => [t.trial, t.params, t.score]);
      expect(shown(answer)).toEqual(shown(JSON.parse(whole.stdout) as SearchAnswer));
      // Without a snapshot, a changed source is refused.
      writeFileSync(csv, original);
      const bare = await killedAfter([...args, '--no-snapshot'], 2, csv);
      writeFileSync(csv, `${lines.slice(0, Math.ceil(lines.length / 2)).join('\n')}\n`);
      const refused = await runCliAsync(['search', '--resume', bare.slice(0, 8)], 60_000, { cwd: dir, env });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/the train data differs: .* kept no snapshot of its train data/);
    });

    it('ASHA: each trial goes on from the rungs it finished, and the result is the uninterrupted one', async () => {
      const args = [...space, '--strategy', 'asha', '--trials', '9', '--budget', 'n_estimators=10..90'];
      // After the first promotion (the 4th evaluation): trials at two rungs. The uninterrupted search runs beside it.
      const [whole, id] = await Promise.all([search([...args, '--no-track']), killedAfter(args, 5)]);
      const { answer, stderr } = await resume(id);
      // Every evaluation the uninterrupted search made (a trial that reached 90 ran at 10, 30 and 90), less those made again.
      const evaluations = whole.trials.reduce((n, t) => n + [10, 30, 90].indexOf(t.reached!) + 1, 0);
      const before = evaluations - (stderr.match(/^search: trial /gm) ?? []).length;
      expect(before).toBeGreaterThanOrEqual(5);
      const shown = (a: SearchAnswer) => a.trials.map((t) => [t.trial, t.params, t.score, t.budget, t.reached]);
      expect(shown(answer)).toEqual(shown(whole));
    });
  });
});
