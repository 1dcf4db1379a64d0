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
}

/**
 * Asynchronous successive halving (ASHA; Li et al., 2020): each configuration starts at the smallest budget;
 * whenever one is in the top 1/eta of the results its rung has so far and not yet promoted, it is run again
 * at eta times the budget, up to the largest; otherwise a new configuration starts. Promotions come first,
 * so the best configurations get the big budgets early, and nothing waits for a rung to fill (which is what
 * lets trials run on many workers). `evaluate` gives a score, higher is better, for a point at a budget.
 */
export async function asha(points: readonly Point[], options: AshaOptions, evaluate: (point: Point, budget: number, trial: Trial) => Promise<number>): Promise<Trial[]> {
  const eta = options.eta ?? 3;
  if (!(eta >= 2)) throw new HyperplaneError(`eta ${eta}: expected 2 or more`, { field: 'eta' });
  if (!(options.minBudget > 0 && options.maxBudget >= options.minBudget)) throw new HyperplaneError(`budgets ${options.minBudget}..${options.maxBudget}: expected 0 < min ≤ max`, { field: 'budget' });
  const top = Math.max(0, Math.floor(Math.log(options.maxBudget / options.minBudget) / Math.log(eta) + 1e-9));
  const budgetAt = (rung: number): number => (rung === top ? options.maxBudget : Math.round(options.minBudget * eta ** rung));
  const trials: Trial[] = [];
  const count = Math.min(options.trials, points.length);
  for (;;) {
    const next = promotable(trials, top, eta);
    if (next !== undefined) {
      next.rung++;
      next.scores.push(await evaluate(next.point, budgetAt(next.rung), next));
      continue;
    }
    if (trials.length >= count) break;
    const trial: Trial = { id: trials.length, point: points[trials.length]!, rung: 0, scores: [] };
    trials.push(trial);
    trial.scores.push(await evaluate(trial.point, budgetAt(0), trial));
  }
  return trials;
}

/** The best configuration, highest rung first, that is in the top 1/eta of its rung and still there (not yet promoted from it). */
function promotable(trials: readonly Trial[], top: number, eta: number): Trial | undefined {
  for (let rung = top - 1; rung >= 0; rung--) {
    const here = trials.filter((t) => t.scores.length > rung).sort((a, b) => b.scores[rung]! - a.scores[rung]! || a.id - b.id);
    const keep = Math.floor(here.length / eta);
    const candidate = here.slice(0, keep).find((t) => t.rung === rung);
    if (candidate !== undefined) return candidate;
  }
  return undefined;
}
