import { describe, expect, it } from 'vitest';
import { LearnError } from '../../src/learn/errors.js';
import { autoSelect, ensembleName, type AutoObjective, type Candidate, type LeaderboardEntry, type ScoringPlan } from '../../src/search/index.js';

/** 40 rows of a binary target. */
const y = Float64Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 1 : 0));
/** Out-of-fold probabilities (n × 2) that rank the rows with `skill` in [0, 1] (1: perfectly). */
function scores(skill: number): Float64Array {
  const out = new Float64Array(y.length * 2);
  y.forEach((v, i) => {
    const noise = ((i * 7919) % 40) / 40;
    const p = skill * v + (1 - skill) * noise;
    out[i * 2] = 1 - p;
    out[i * 2 + 1] = p;
  });
  return out;
}

interface FakeMember {
  learner: string;
  params: Record<string, unknown>;
  weight: number;
}

/**
 * A pipeline made up for the test: each learner's skill is fixed, 'broken' cannot take the data, and 'cut'
 * is stopped at the deadline and asks to be refitted with the rounds it reached. No learner exists in the registry.
 */
function objective(skills: Record<string, number>, fitted: Candidate[], plans: ScoringPlan[]): AutoObjective<FakeMember> {
  return {
    async score(candidate, plan) {
      plans.push(plan);
      if (candidate.learner === 'broken') throw new LearnError('broken: cannot take this data');
      const skill = skills[candidate.learner]! + Number(candidate.params['bonus'] ?? 0);
      return { scores: scores(skill), models: [], ...(candidate.learner === 'cut' ? { refitParams: { ...candidate.params, rounds: 17 } } : {}) };
    },
    async fit(candidate) {
      fitted.push(candidate);
      return { learner: candidate.learner, params: candidate.params, weight: 1 };
    },
    weighted: (member, weight) => ({ ...member, weight }),
  };
}

const options = { task: 'binary' as const, labels: ['no', 'yes'], metric: 'auc' as const, seed: 0, budgetMs: 60_000, started: performance.now() };

describe('the auto search, over learners only the test knows', () => {
  it('scores every candidate by 5-fold cross-validation on a small table, keeps the best, and fits it on every row', async () => {
    const fitted: Candidate[] = [];
    const plans: ScoringPlan[] = [];
    const leaderboard: LeaderboardEntry[] = [];
    const candidates: Candidate[] = [
      { learner: 'baseline', params: {} },
      { learner: 'good', params: { bonus: 0 } },
      { learner: 'weak', params: {} },
      { learner: 'broken', params: {} },
    ];
    const result = await autoSelect(candidates, y, objective({ baseline: 0, good: 0.9, weak: 0.2 }, fitted, plans), options, leaderboard);
    // The same five stratified folds for every candidate, given to the objective so each score is known by fold.
    expect(plans.every((p) => p.folds === 5 && p.assignment !== undefined && p.assignment.length === y.length && new Set(p.assignment).size === 5)).toBe(true);
    expect(new Set(plans.map((p) => p.assignment)).size).toBe(1);
    expect(result.plan).toBe('5-fold cross-validation on the training rows');
    expect(result.name).toBe('good');
    expect(result.members).toEqual([{ learner: 'good', params: { bonus: 0 }, weight: 1 }]);
    expect(fitted).toEqual([{ learner: 'good', params: { bonus: 0 } }]);
    // Best first, the failure last with its reason; each score is the AUC of its out-of-fold scores.
    expect(leaderboard.map((e) => e.learner)).toEqual(['good', 'weak', 'baseline', 'broken']);
    expect(leaderboard[0]!.score).toBe(1);
    expect(leaderboard.at(-1)!.note).toBe('failed: broken: cannot take this data');
  });

  it('ensembles candidates whose average beats the best alone, and names members of one learner by the params that differ', async () => {
    const leaderboard: LeaderboardEntry[] = [];
    // Two noisy rankers with independent noise: their average ranks better than either.
    const rows = Float64Array.from({ length: 400 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const noise = (i: number, seed: number): number => {
      const x = Math.sin(i * 12.9898 + seed * 78.233) * 43758.5453;
      return x - Math.floor(x);
    };
    const noisy: AutoObjective<FakeMember> = {
      async score(candidate) {
        const seed = Number(candidate.params['seed']);
        const out = new Float64Array(rows.length * 2);
        rows.forEach((v, i) => {
          const p = 0.3 * v + 0.7 * noise(i, seed);
          out[i * 2] = 1 - p;
          out[i * 2 + 1] = p;
        });
        return { scores: out, models: [] };
      },
      fit: async (c) => ({ learner: c.learner, params: c.params, weight: 1 }),
      weighted: (m, weight) => ({ ...m, weight }),
    };
    const result = await autoSelect([{ learner: 'net', params: { seed: 1, width: 8 } }, { learner: 'net', params: { seed: 2, width: 8 } }], rows, noisy, options, leaderboard);
    expect(result.members).toHaveLength(2);
    expect(result.name).toMatch(/^ensemble\(net\(seed=\d\)×\d \+ net\(seed=\d\)×\d\)$/);
    const ensemble = leaderboard.find((e) => e.learner.startsWith('ensemble('))!;
    expect(ensemble.score).toBeGreaterThan(Math.max(...leaderboard.filter((e) => e !== ensemble).map((e) => e.score)));
  });

  it('a reference never joins an ensemble unless nothing beats it; a fit cut short is refitted with the params its learner gives', async () => {
    const fitted: Candidate[] = [];
    const result = await autoSelect(
      [
        { learner: 'baseline', params: {} },
        { learner: 'cut', params: { rounds: 2000 } },
      ],
      y,
      objective({ baseline: 0.95, cut: 0.9 }, fitted, []),
      options,
      [],
    );
    // The baseline scores best here, and is then what auto keeps, alone.
    expect(result.name).toBe('baseline');
    const withModel = await autoSelect([{ learner: 'cut', params: { rounds: 2000 } }], y, objective({ cut: 0.9 }, fitted, []), options, []);
    expect(withModel.candidates).toEqual([{ learner: 'cut', params: { rounds: 17 }, weight: 1 }]);
    expect(fitted.at(-1)).toEqual({ learner: 'cut', params: { rounds: 17 } });
  });

  it('past 100,000 rows scores on one stratified holdout and keeps the models it fitted there', async () => {
    const big = Float64Array.from({ length: 100_001 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const plans: ScoringPlan[] = [];
    const kept: AutoObjective<FakeMember> = {
      async score(candidate, plan) {
        plans.push(plan);
        const out = new Float64Array(big.length * 2);
        big.forEach((v, i) => ((out[i * 2 + 1] = v), (out[i * 2] = 1 - v)));
        // A learner that would be refitted with other params: a big table keeps the model, so its params stand.
        return { scores: out, models: [{ learner: candidate.learner, params: candidate.params, weight: 1 }], refitParams: { rounds: 17 } };
      },
      fit: () => Promise.reject(new Error('a big table keeps the search\'s model')),
      weighted: (m, weight) => ({ ...m, weight }),
    };
    const result = await autoSelect([{ learner: 'good', params: {} }], big, kept, options, []);
    expect(plans[0]!.folds).toBe(1);
    const validation = plans[0]!.assignment!.filter((a) => a === 0).length;
    expect(validation).toBeGreaterThan(19_000);
    expect(validation).toBeLessThan(21_000);
    expect(result.members).toEqual([{ learner: 'good', params: {}, weight: 1 }]);
    expect(result.params).toEqual({});
  });

  it('says why when nothing could be scored', async () => {
    await expect(autoSelect([{ learner: 'broken', params: {} }], y, objective({}, [], []), options, [])).rejects.toThrow('auto: every candidate failed: broken: cannot take this data');
  });
});

describe('ensemble names', () => {
  it('show a learner once by its name, and members of one learner by the params that differ', () => {
    const e = (learner: string, params: Record<string, unknown>): LeaderboardEntry => ({ learner, params, score: 0, seconds: 0 });
    expect(ensembleName([[e('gbdt', { n_estimators: 2000, num_leaves: 15, learning_rate: 0.1 }), 2], [e('gbdt', { n_estimators: 2000, num_leaves: 31, learning_rate: 0.05, colsample: 0.8 }), 1], [e('logistic', { C: 1 }), 1]])).toBe(
      'ensemble(gbdt(num_leaves=15,learning_rate=0.1)×2 + gbdt(num_leaves=31,learning_rate=0.05,colsample=0.8)×1 + logistic×1)',
    );
  });

  it("compare a param a member leaves out as its learner's default, and call a member given none its defaults", () => {
    const e = (learner: string, params: Record<string, unknown>): LeaderboardEntry => ({ learner, params, score: 0, seconds: 0 });
    // early_stopping_rounds=0 and num_leaves=31 are gbdt's defaults: no difference to show there.
    expect(ensembleName([[e('gbdt', {}), 3], [e('gbdt', { n_estimators: 556, early_stopping_rounds: 0, num_leaves: 31, lambda_l2: 1 }), 1]])).toBe('ensemble(gbdt(defaults)×3 + gbdt(n_estimators=556,lambda_l2=1)×1)');
  });
});
