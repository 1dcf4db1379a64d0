import { HyperplaneError } from '../errors.js';
import { Random } from '../synth/random.js';

/** Row indices (ascending) of one split. */
export interface Split {
  train: Int32Array;
  test: Int32Array;
}

function shuffled(rows: number[], rng: Random): number[] {
  for (let i = rows.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  return rows;
}

/** Rows grouped by class code (rows of one class in a random order); regression targets form one group. */
function strata(y: ArrayLike<number>, stratify: boolean, rng: Random): number[][] {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < y.length; i++) {
    const key = stratify ? y[i]! : 0;
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = []));
    g.push(i);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((k) => shuffled(groups.get(k)!, rng));
}

const ascending = (rows: number[]): Int32Array => Int32Array.from(rows).sort();

/**
 * A random holdout of `testShare` of the rows; with `stratify`, each class keeps its share on both
 * sides (at least one row of every class with two or more rows goes to each side).
 */
export function holdout(y: ArrayLike<number>, testShare: number, seed: number, stratify: boolean): Split {
  if (!(testShare > 0 && testShare < 1)) throw new HyperplaneError(`the test share must be between 0 and 1, got ${testShare}`, { field: 'split' });
  const rng = new Random(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (const rows of strata(y, stratify, rng)) {
    let take = Math.round(rows.length * testShare);
    if (rows.length >= 2) take = Math.min(rows.length - 1, Math.max(1, take));
    // Loops, not push(...rows): spreading a million rows overflows the call stack.
    for (let r = 0; r < rows.length; r++) (r < take ? test : train).push(rows[r]!);
  }
  if (train.length === 0 || test.length === 0) throw new HyperplaneError(`a ${testShare} test share of ${y.length} rows leaves one side empty`, { field: 'split' });
  return { train: ascending(train), test: ascending(test) };
}

/**
 * Each row's fold (0 … k − 1) for k-fold cross-validation, rows shuffled by the seed; with `stratify`,
 * each class is dealt round-robin across the folds so every fold keeps the class shares.
 */
export function kFolds(y: ArrayLike<number>, k: number, seed: number, stratify: boolean): Int32Array {
  if (!Number.isInteger(k) || k < 2) throw new HyperplaneError(`cross-validation needs at least 2 folds, got ${k}`, { field: 'cv' });
  if (y.length < k) throw new HyperplaneError(`${k}-fold cross-validation needs at least ${k} rows, got ${y.length}`, { field: 'cv' });
  const folds = new Int32Array(y.length);
  let next = 0;
  for (const rows of strata(y, stratify, new Random(seed))) {
    for (const i of rows) folds[i] = next++ % k;
  }
  return folds;
}

/**
 * Folds that keep each group whole (rows of one customer never on both sides), as scikit-learn's
 * GroupKFold: the largest groups first, each to the fold with the fewest rows so far.
 */
export function groupFolds(groups: ArrayLike<number>, k: number): Int32Array {
  const sizes = new Map<number, number>();
  for (let i = 0; i < groups.length; i++) sizes.set(groups[i]!, (sizes.get(groups[i]!) ?? 0) + 1);
  if (sizes.size < k) throw new HyperplaneError(`group k-fold needs at least ${k} groups, found ${sizes.size}`, { field: 'cv' });
  const foldOf = new Map<number, number>();
  const load = new Float64Array(k);
  for (const [group, size] of [...sizes].sort((a, b) => b[1] - a[1] || a[0] - b[0])) {
    let f = 0;
    for (let j = 1; j < k; j++) if (load[j]! < load[f]!) f = j;
    foldOf.set(group, f);
    load[f] += size;
  }
  return Int32Array.from({ length: groups.length }, (_, i) => foldOf.get(groups[i]!)!);
}

/**
 * A holdout that keeps each group whole, as scikit-learn's GroupShuffleSplit but sized in rows: whole
 * groups drawn in a seeded random order go to test while they bring it nearer `testShare` of the rows
 * (a group that would overshoot more than it fills is passed over for smaller ones). Both sides keep a group.
 */
export function groupHoldout(groups: ArrayLike<number>, testShare: number, seed: number): Split & { testGroups: number; groups: number } {
  if (!(testShare > 0 && testShare < 1)) throw new HyperplaneError(`the test share must be between 0 and 1, got ${testShare}`, { field: 'split' });
  const sizes = new Map<number, number>();
  for (let i = 0; i < groups.length; i++) sizes.set(groups[i]!, (sizes.get(groups[i]!) ?? 0) + 1);
  if (sizes.size < 2) throw new HyperplaneError(`a group holdout needs at least 2 groups, found ${sizes.size}`, { field: 'group' });
  // Sorted before shuffling: the draw depends on the seed and the codes, not on the order of a Map.
  const order = shuffled([...sizes.keys()].sort((a, b) => a - b), new Random(seed));
  const goal = groups.length * testShare;
  const inTest = new Set<number>();
  let taken = 0;
  for (const g of order) {
    if (taken >= goal || inTest.size === sizes.size - 1) break;
    const size = sizes.get(g)!;
    if (Math.abs(taken + size - goal) < Math.abs(taken - goal)) {
      inTest.add(g);
      taken += size;
    }
  }
  // Every group bigger than twice the goal: the smallest goes to test, so that neither side is empty.
  if (inTest.size === 0) inTest.add(order.reduce((best, g) => (sizes.get(g)! < sizes.get(best)! ? g : best)));
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < groups.length; i++) (inTest.has(groups[i]!) ? test : train).push(i);
  return { train: Int32Array.from(train), test: Int32Array.from(test), testGroups: inTest.size, groups: sizes.size };
}

/** The train/test rows of fold f. */
export function foldSplit(folds: Int32Array, f: number): Split {
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < folds.length; i++) (folds[i] === f ? test : train).push(i);
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}

/**
 * Train on rows before `cutoff` (epoch ms), test on rows at or after it: tomorrow's data predicts
 * production better than a random split. Rows without a time go to neither side.
 */
export function timeSplit(times: ArrayLike<number>, cutoff: number, column: string): Split & { dropped: number } {
  const train: number[] = [];
  const test: number[] = [];
  let dropped = 0;
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    if (t !== t) dropped++;
    else (t < cutoff ? train : test).push(i);
  }
  const when = new Date(cutoff).toISOString().slice(0, 10);
  if (train.length === 0) throw new HyperplaneError(`no rows before ${when} to train on`, { column });
  if (test.length === 0) throw new HyperplaneError(`no rows on or after ${when} to test on`, { column });
  return { train: Int32Array.from(train), test: Int32Array.from(test), dropped };
}

/** The rows' scores from row-major n × k scores (k per row: class probabilities, or 1): a split's or a fold's. */
export function pickScores(scores: Float64Array, rows: Int32Array, k: number): Float64Array {
  const out = new Float64Array(rows.length * k);
  for (let r = 0; r < rows.length; r++) for (let c = 0; c < k; c++) out[r * k + c] = scores[rows[r]! * k + c]!;
  return out;
}
