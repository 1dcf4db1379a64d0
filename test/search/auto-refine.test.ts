import { describe, expect, it } from 'vitest';
import { loadData } from '../../src/data/load.js';
import { selectRows } from '../../src/data/table.js';
import { getLearner } from '../../src/learn/registry.js';
import { declaredBudget, declaredSpace } from '../../src/search/index.js';
import { trainPipeline, type TrainOptions } from '../../src/pipeline/train.js';
import { fixture } from '../helpers.js';

describe("auto's plan: the declared portfolio, then ASHA over the leading learner's declared space", () => {
  it('refine: N random configurations of the leader raced over its budget, each on the leaderboard; the same for a seed', async () => {
    // 300 rows: three auto runs, each a portfolio and a race; the plan is the same on more rows, only slower.
    const all = await loadData(fixture('breast_cancer.csv'));
    const data = { ...all, table: selectRows(all.table, Int32Array.from({ length: 300 }, (_, i) => i)) };
    const options: TrainOptions = { target: 'diagnosis', learner: 'auto', evaluation: { kind: 'holdout', share: 0.2 }, seed: 3, timeBudgetSeconds: 120, refineTrials: 6, refit: false };
    const run = async (): Promise<Awaited<ReturnType<typeof trainPipeline>>['leaderboard']> => (await trainPipeline(data, options)).leaderboard;
    const board = await run();
    const portfolio = await trainPipeline(data, { ...options, refineTrials: 0 });
    // The refined entries are those beyond the portfolio's (the ensemble line aside).
    const key = (e: { learner: string; params: Record<string, unknown> }): string => `${e.learner} ${JSON.stringify(e.params)}`;
    const before = new Set(portfolio.leaderboard.map(key));
    const refined = board.filter((e) => !before.has(key(e)) && !e.learner.includes('+'));
    expect(refined.length).toBeGreaterThanOrEqual(6);
    // All of one learner, the one that declares a space and a budget (here gbdt: boosting rounds).
    const learner = getLearner(refined[0]!.learner);
    const budget = declaredBudget(learner)!;
    expect(refined.every((e) => e.learner === learner.name)).toBe(true);
    const space = declaredSpace(learner).filter((d) => d.name !== budget.name);
    const configurations = new Set(refined.map((e) => JSON.stringify(space.map((d) => e.params[d.name]))));
    expect(configurations.size).toBe(6);
    for (const e of refined) {
      expect(e.params[budget.name]).toBeGreaterThanOrEqual(budget.low);
      expect(e.params[budget.name]).toBeLessThanOrEqual(budget.high);
      for (const d of space) if (d.kind !== 'choice') expect(e.params[d.name]).toBeGreaterThanOrEqual(d.low), expect(e.params[d.name]).toBeLessThanOrEqual(d.high);
    }
    // ASHA: every configuration runs at the smallest budget; only the better ones run at more.
    expect(refined.filter((e) => e.params[budget.name] === budget.low)).toHaveLength(6);
    expect(refined.length).toBeLessThan(6 * 2);
    // Deterministic for a seed: the same trials and the same scores again.
    expect((await run()).map((e) => [key(e), e.score])).toEqual(board.map((e) => [key(e), e.score]));
  }, 240_000);
});
