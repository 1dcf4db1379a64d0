import { HyperplaneError } from '../errors.js';
import { Random } from '../synth/random.js';
import { valueAt, type Point, type Space } from './space.js';

/** Most points a grid may have: past it, random search covers the space better for the same cost. */
export const MAX_GRID = 10_000;

/**
 * Every combination of the space's values: a choice's values, and `steps` values evenly spread over each
 * range (log-evenly on a log scale; a whole-number range gives each distinct value once).
 */
export function grid(space: Space, steps = 3): Point[] {
  const axes = space.map((d) => (d.kind === 'choice' ? [...d.values] : [...new Set(Array.from({ length: steps }, (_, i) => valueAt(d, steps === 1 ? 0.5 : i / (steps - 1))))]));
  const size = axes.reduce((n, a) => n * a.length, 1);
  if (size > MAX_GRID) throw new HyperplaneError(`a grid of ${size.toLocaleString('en-US')} points is past ${MAX_GRID.toLocaleString('en-US')}: use random search or fewer values`);
  let points: Point[] = [{}];
  space.forEach((d, j) => (points = points.flatMap((p) => axes[j]!.map((v) => ({ ...p, [d.name]: v })))));
  return points;
}

/** `n` points drawn independently (uniform over each range, in log space on a log scale); the same for a seed. */
export function randomPoints(space: Space, n: number, seed: number): Point[] {
  const rng = new Random(seed);
  return Array.from({ length: n }, () => Object.fromEntries(space.map((d) => [d.name, d.kind === 'choice' ? d.values[rng.int(d.values.length)]! : valueAt(d, rng.uniform())])));
}

export interface Trial {
  id: number;
  point: Point;
  /** The rung it reached: its budget is minBudget × eta^rung. */
  rung: number;
  /** Its score at each rung it was run at (higher is better). */
  scores: number[];
}

export interface AshaOptions {
  /** Configurations to start (drawn in order from `points`). */
  trials: number;
  /** The smallest budget (boosting rounds, rows) a configuration is run at, and the largest. */
  minBudget: number;
  maxBudget: number;
  /** Each rung keeps the best 1/eta of what reached it (default 3). */
  eta?: number;
  /** Evaluations run at once (default 1: then the same trials every time). */
  concurrency?: number;
  /** Trials already run (a resumed search): their scores by rung; one with none is run first. */
  initial?: readonly Trial[];
  /** Asked before each new evaluation: true stops starting them (a time budget); those running finish. */
  stop?: () => boolean;
}

/** The budgets of ASHA's rungs: minBudget × eta^rung, the last one maxBudget. */
export function rungBudgets(minBudget: number, maxBudget: number, eta: number): number[] {
  const top = Math.max(0, Math.floor(Math.log(maxBudget / minBudget) / Math.log(eta) + 1e-9));
  return Array.from({ length: top + 1 }, (_, rung) => (rung === top ? maxBudget : Math.round(minBudget * eta ** rung)));
}

/**
 * Asynchronous successive halving (ASHA; Li et al., 2020): each configuration starts at the smallest budget;
 * whenever one is in the top 1/eta of the results its rung has so far and not yet promoted, it is run again
 * at eta times the budget, up to the largest; otherwise a new configuration starts. Promotions come first,
 * so the best configurations get the big budgets early, and nothing waits for a rung to fill: a free worker
 * always has something to do. `evaluate` gives a score, higher is better, for a point at a budget.
 */
export async function asha(points: readonly Point[], options: AshaOptions, evaluate: (point: Point, budget: number, trial: Trial) => Promise<number>): Promise<Trial[]> {
  const eta = options.eta ?? 3;
  if (!(eta >= 2)) throw new HyperplaneError(`eta ${eta}: expected 2 or more`, { field: 'eta' });
  if (!(options.minBudget > 0 && options.maxBudget >= options.minBudget)) throw new HyperplaneError(`budgets ${options.minBudget}..${options.maxBudget}: expected 0 < min ≤ max`, { field: 'budget' });
  const budgets = rungBudgets(options.minBudget, options.maxBudget, eta);
  const top = budgets.length - 1;
  const trials: Trial[] = (options.initial ?? []).map((t) => ({ ...t, scores: [...t.scores], rung: Math.max(0, t.scores.length - 1) })).sort((a, b) => a.id - b.id);
  const count = Math.min(options.trials, points.length);
  const started = new Set(trials.map((t) => t.id));
  const running = new Set<Trial>();
  // The next evaluation: a trial never scored (resumed), a promotion, or a new configuration.
  const next = (): Trial | undefined => {
    const unscored = trials.find((t) => t.scores.length === 0 && !running.has(t));
    if (unscored !== undefined) return unscored;
    const promoted = promotable(trials, top, eta, running);
    if (promoted !== undefined) {
      promoted.rung++;
      return promoted;
    }
    let id = 0;
    while (started.has(id)) id++;
    if (id >= count) return undefined;
    const trial: Trial = { id, point: points[id]!, rung: 0, scores: [] };
    started.add(id);
    trials.push(trial);
    return trial;
  };
  await runConcurrently(options.concurrency ?? 1, options.stop, next, async (trial) => {
    running.add(trial);
    try {
      const rung = trial.rung;
      trial.scores[rung] = await evaluate(trial.point, budgets[rung]!, trial);
    } finally {
      running.delete(trial);
    }
  });
  return trials.sort((a, b) => a.id - b.id);
}

/**
 * Runs jobs, at most `concurrency` at once, taking each from `next` when a slot frees (undefined: none for
 * now; the pool ends when nothing runs and none comes). The first failure stops new jobs and is thrown once
 * the running ones end.
 */
export async function runConcurrently<J>(concurrency: number, stop: (() => boolean) | undefined, next: () => J | undefined, run: (job: J) => Promise<void>): Promise<void> {
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  for (;;) {
    while (failure === undefined && running.size < Math.max(1, concurrency) && stop?.() !== true) {
      const job = next();
      if (job === undefined) break;
      const p: Promise<void> = run(job).then(
        () => void running.delete(p),
        (error: unknown) => {
          running.delete(p);
          failure ??= { error };
        },
      );
      running.add(p);
    }
    if (running.size === 0) break;
    await Promise.race(running);
  }
  if (failure !== undefined) throw failure.error;
}

/** The best configuration, highest rung first, that is in the top 1/eta of its rung and still there (not yet promoted from it, not running). */
function promotable(trials: readonly Trial[], top: number, eta: number, running: ReadonlySet<Trial>): Trial | undefined {
  for (let rung = top - 1; rung >= 0; rung--) {
    const here = trials.filter((t) => t.scores.length > rung).sort((a, b) => b.scores[rung]! - a.scores[rung]! || a.id - b.id);
    const keep = Math.floor(here.length / eta);
    const candidate = here.slice(0, keep).find((t) => t.rung === rung && !running.has(t));
    if (candidate !== undefined) return candidate;
  }
  return undefined;
}
