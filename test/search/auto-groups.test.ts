import { describe, expect, it } from 'vitest';
import { autoSelect, HOLDOUT_ROWS, type AutoObjective, type Candidate, type LeaderboardEntry, type ScoringPlan } from '../../src/search/index.js';

/** Scores that rank rows by their label with some skill: what a candidate of the test is worth. */
function scores(y: Float64Array, skill: number): Float64Array {
  const out = new Float64Array(y.length * 2);
  y.forEach((v, i) => {
    const p = skill * v + (1 - skill) * (((i * 7919) % 97) / 97);
    out[i * 2] = 1 - p;
    out[i * 2 + 1] = p;
  });
  return out;
}

function objective(y: Float64Array, plans: ScoringPlan[]): AutoObjective<Candidate> {
  return {
    async score(_candidate, plan) {
      plans.push(plan);
      return { scores: scores(y, 0.8), models: [] };
    },
    fit: async (candidate) => candidate,
    weighted: (member) => member,
  };
}

/** Each group's folds, from an assignment: one fold per group when groups are kept whole. */
function foldsPerGroup(groups: ArrayLike<number>, assignment: Int32Array): Map<number, Set<number>> {
  const seen = new Map<number, Set<number>>();
  for (let i = 0; i < groups.length; i++) {
    let s = seen.get(groups[i]!);
    if (s === undefined) seen.set(groups[i]!, (s = new Set()));
    s.add(assignment[i]!);
  }
  return seen;
}

const options = { task: 'binary' as const, labels: ['no', 'yes'], metric: 'auc' as const, seed: 0, budgetMs: 60_000, started: performance.now() };
const candidates = (): Candidate[] => [{ learner: 'a', params: {} }];

describe('auto with groups', () => {
  it('scores candidates on group folds: every group in one fold, as many folds as groups allow', async () => {
    const y = Float64Array.from({ length: 300 }, (_, i) => i % 2);
    const groups = Int32Array.from({ length: 300 }, (_, i) => (i * 13) % 40);
    const plans: ScoringPlan[] = [];
    const result = await autoSelect(candidates(), y, objective(y, plans), { ...options, groups }, [] as LeaderboardEntry[]);
    expect(plans[0]!.folds).toBe(5);
    const assignment = plans[0]!.assignment!;
    expect(new Set(assignment)).toEqual(new Set([0, 1, 2, 3, 4]));
    for (const folds of foldsPerGroup(groups, assignment).values()) expect(folds.size).toBe(1);
    expect(result.plan).toBe('5-fold group cross-validation on the 40 groups of training rows');
    // Three groups: three folds.
    const few = Int32Array.from({ length: 300 }, (_, i) => i % 3);
    const fewPlans: ScoringPlan[] = [];
    await autoSelect(candidates(), y, objective(y, fewPlans), { ...options, groups: few }, []);
    expect(fewPlans[0]!.folds).toBe(3);
    await expect(autoSelect(candidates(), y, objective(y, []), { ...options, groups: new Int32Array(300) }, [])).rejects.toThrow(/hold 1 group/);
  });

  it('past HOLDOUT_ROWS, a holdout of whole groups instead of a stratified one', async () => {
    const n = HOLDOUT_ROWS + 1000;
    const y = Float64Array.from({ length: n }, (_, i) => i % 2);
    const groups = Int32Array.from({ length: n }, (_, i) => Math.floor(i / 10) % 5000);
    const plans: ScoringPlan[] = [];
    const result = await autoSelect(candidates(), y, objective(y, plans), { ...options, groups }, []);
    const assignment = plans[0]!.assignment!;
    expect(plans[0]!.folds).toBe(1);
    for (const sides of foldsPerGroup(groups, assignment).values()) expect(sides.size).toBe(1);
    const held = assignment.filter((a) => a === 0).length;
    expect(Math.abs(held / n - 0.2)).toBeLessThan(0.01);
    expect(result.plan).toMatch(/^a holdout of whole groups, about 20% of the 101,000 training rows \(5,000 groups\)/);
  });
});
