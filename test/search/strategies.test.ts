import { describe, expect, it } from 'vitest';
import { asha, grid, randomPoints, type Point, type Space, type Trial } from '../../src/search/index.js';

const space: Space = [
  { name: 'num_leaves', kind: 'int', low: 7, high: 127, scale: 'log' },
  { name: 'learning_rate', kind: 'float', low: 0.01, high: 0.3, scale: 'log' },
  { name: 'objective', kind: 'choice', values: ['l2', 'huber'] },
];

describe('grid and random search', () => {
  it('a grid is every combination, the same each time', () => {
    const points = grid(space, 3);
    expect(points).toHaveLength(3 * 3 * 2);
    expect(new Set(points.map((p) => JSON.stringify(p))).size).toBe(18);
    expect(points[0]).toEqual({ num_leaves: 7, learning_rate: 0.01, objective: 'l2' });
    expect(points.at(-1)).toEqual({ num_leaves: 127, learning_rate: 0.3, objective: 'huber' });
    expect(grid(space, 3)).toEqual(points);
    // A whole-number range narrower than the steps gives each value once.
    expect(grid([{ name: 'k', kind: 'int', low: 1, high: 2, scale: 'linear' }], 5)).toEqual([{ k: 1 }, { k: 2 }]);
    expect(() => grid(space, 100)).toThrow(/^a grid of [\d,]+ points is past 10,000: use random search or fewer values$/);
  });

  it('random points are the same for a seed, differ for another, and stay in their ranges', () => {
    const a = randomPoints(space, 50, 7);
    expect(randomPoints(space, 50, 7)).toEqual(a);
    expect(randomPoints(space, 50, 8)).not.toEqual(a);
    for (const p of a) {
      expect(p['num_leaves']).toBeGreaterThanOrEqual(7);
      expect(p['num_leaves']).toBeLessThanOrEqual(127);
      expect(Number.isInteger(p['num_leaves'])).toBe(true);
      expect(p['learning_rate']).toBeGreaterThanOrEqual(0.01);
      expect(p['learning_rate']).toBeLessThanOrEqual(0.3);
      expect(['l2', 'huber']).toContain(p['objective']);
    }
    // Log scale: about half the draws below the geometric middle (√(7 × 127) ≈ 29.8).
    const low = a.filter((p) => (p['num_leaves'] as number) < 29.8).length;
    expect(low).toBeGreaterThan(15);
    expect(low).toBeLessThan(35);
  });
});

describe('ASHA', () => {
  // A known ranking: configuration q has quality q; a budget b shows (1 − e^(−b/30)) of it, plus a
  // small bias that fades with the budget, so early rungs rank roughly and later ones exactly.
  const points: Point[] = Array.from({ length: 27 }, (_, i) => ({ q: ((i * 11) % 27) / 26 }));
  const score = (p: Point, budget: number): number => (p['q'] as number) * (1 - Math.exp(-budget / 30)) + 0.05 * Math.sin(7 * (p['q'] as number)) * Math.exp(-budget / 20);

  it('promotes the best configurations to the largest budget and stops the rest early', async () => {
    const runs: { q: number; budget: number }[] = [];
    const trials = await asha(points, { trials: 27, minBudget: 10, maxBudget: 270, eta: 3 }, async (p, budget) => {
      runs.push({ q: p['q'] as number, budget });
      return score(p, budget);
    });
    const atTop = trials.filter((t) => t.rung === 3);
    // The best configuration (q = 1) reached the largest budget, and the top is the best few.
    expect(atTop.map((t) => t.point['q'])).toContain(1);
    expect(Math.min(...atTop.map((t) => t.point['q'] as number))).toBeGreaterThan(0.85);
    // Budgets: 10, 30, 90, 270; every configuration started, few went far.
    expect(new Set(runs.map((r) => r.budget))).toEqual(new Set([10, 30, 90, 270]));
    expect(runs.filter((r) => r.budget === 10)).toHaveLength(27);
    expect(runs.filter((r) => r.budget === 270).length).toBeLessThanOrEqual(3);
    // Far less than every configuration at the largest budget.
    expect(runs.reduce((s, r) => s + r.budget, 0)).toBeLessThan(27 * 270 * 0.25);
  });

  it('promotes as soon as a configuration is in the top third of its rung, without waiting for the rung to fill', async () => {
    const order: string[] = [];
    await asha(points, { trials: 9, minBudget: 10, maxBudget: 90, eta: 3 }, async (p, budget, t: Trial) => {
      order.push(`${t.id}@${budget}`);
      return score(p, budget);
    });
    // The first promotion comes after 3 results at the first rung, not after all 9.
    const first = order.findIndex((o) => o.endsWith('@30'));
    expect(first).toBe(3);
  });

  it('keeps two workers busy: at most two evaluations at once, never a trial twice at once, the same winners', async () => {
    let active = 0;
    let most = 0;
    const busy = new Set<number>();
    const trials = await asha(points, { trials: 27, minBudget: 10, maxBudget: 270, eta: 3, concurrency: 2 }, async (p, budget, t) => {
      expect(busy.has(t.id)).toBe(false);
      busy.add(t.id);
      most = Math.max(most, ++active);
      // Uneven durations, so results come back out of order.
      await new Promise((r) => setTimeout(r, (t.id * 7) % 5));
      active--;
      busy.delete(t.id);
      return score(p, budget);
    });
    expect(most).toBe(2);
    expect(trials).toHaveLength(27);
    expect(trials.find((t) => t.point['q'] === 1)!.rung).toBe(3);
    // Each trial has a score at every rung up to the one it reached.
    for (const t of trials) expect(t.scores).toHaveLength(t.rung + 1);
  });

  it('resumes from the trials already run: none is run again at a rung it has, and the result is the uninterrupted one', async () => {
    const whole = await asha(points, { trials: 27, minBudget: 10, maxBudget: 270, eta: 3 }, async (p, budget) => score(p, budget));
    // Stopped after 12 evaluations: what had been recorded by then.
    let n = 0;
    const stopped = await asha(points, { trials: 27, minBudget: 10, maxBudget: 270, eta: 3, stop: () => n >= 12 }, async (p, budget) => {
      n++;
      return score(p, budget);
    });
    expect(n).toBe(12);
    const runs: string[] = [];
    const resumed = await asha(points, { trials: 27, minBudget: 10, maxBudget: 270, eta: 3, initial: stopped }, async (p, budget, t) => {
      runs.push(`${t.id}@${budget}`);
      return score(p, budget);
    });
    for (const t of stopped) t.scores.forEach((_, rung) => expect(runs).not.toContain(`${t.id}@${[10, 30, 90, 270][rung]}`));
    expect(resumed.map((t) => [t.id, t.rung, t.scores])).toEqual(whole.map((t) => [t.id, t.rung, t.scores]));
  });

  it('runs a resumed trial that has no score yet first', async () => {
    const order: number[] = [];
    await asha(points, { trials: 4, minBudget: 10, maxBudget: 30, eta: 3, initial: [{ id: 2, point: points[2]!, rung: 0, scores: [] }] }, async (p, budget, t) => {
      order.push(t.id);
      return score(p, budget);
    });
    expect(order.slice(0, 2)).toEqual([2, 0]);
    expect(new Set(order)).toEqual(new Set([0, 1, 2, 3]));
  });

  it('a failing evaluation stops new ones and is thrown once the running ones end', async () => {
    let started = 0;
    await expect(
      asha(points, { trials: 27, minBudget: 10, maxBudget: 270, eta: 3, concurrency: 2 }, async (p, budget) => {
        if (++started === 3) throw new Error('disk full');
        await new Promise((r) => setTimeout(r, 2));
        return score(p, budget);
      }),
    ).rejects.toThrow('disk full');
    expect(started).toBeLessThanOrEqual(4);
  });

  it('refuses budgets and rates that make no sense', async () => {
    await expect(asha(points, { trials: 3, minBudget: 0, maxBudget: 10 }, async () => 0)).rejects.toThrow('budgets 0..10: expected 0 < min ≤ max');
    await expect(asha(points, { trials: 3, minBudget: 1, maxBudget: 10, eta: 1 }, async () => 0)).rejects.toThrow('eta 1: expected 2 or more');
  });
});
