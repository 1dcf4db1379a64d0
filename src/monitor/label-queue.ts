/**
 * Active labelling: which logged predictions are most worth a human label. Pure and node-free: the
 * CLI streams the log through a `LabelQueue` a page at a time, a test or a script calls `pickForLabels`.
 *
 * - uncertainty: least confidence first, the lowest top-class probability;
 * - margin: the smallest gap between the two most probable classes first;
 * - diverse: from the least confident pool (POOL_FACTOR × n), n spread over the inputs by greedy
 *   farthest-point selection (k-center) on standardized numbers and category mismatches, so that a
 *   batch doesn't spend its labels on near-copies of one uncertain row.
 *
 * Ties are broken by id, so a pick is the same each time it is made.
 */

export const LABEL_STRATEGIES = ['uncertainty', 'margin', 'diverse'] as const;
export type LabelStrategy = (typeof LABEL_STRATEGIES)[number];

/** The diverse strategy spreads n picks over this many times n of the least confident. */
export const POOL_FACTOR = 5;

/** A prediction that could be labelled: its id, its input row, and the class probabilities it answered with. */
export interface LabelCandidate {
  id: string;
  input: unknown;
  probabilities: Readonly<Record<string, number>>;
}

/** A picked candidate with its strategy's measure: `confidence` (uncertainty, diverse) or `margin`. */
export interface LabelPick<C extends LabelCandidate = LabelCandidate> {
  candidate: C;
  /** What ranked it, lower first: the top probability, or the gap between the top two. */
  score: number;
}

/** The name of the measure a strategy ranks by, lowest first (a column of the exported queue). */
export const scoreName = (strategy: LabelStrategy): 'confidence' | 'margin' => (strategy === 'margin' ? 'margin' : 'confidence');

/** The top-class probability and the gap to the second; a single class has a gap of its probability. */
export function confidenceOf(probabilities: Readonly<Record<string, number>>): { confidence: number; margin: number } {
  let first = Number.NEGATIVE_INFINITY;
  let second = 0;
  for (const p of Object.values(probabilities)) {
    if (!Number.isFinite(p)) continue;
    if (p > first) {
      second = first === Number.NEGATIVE_INFINITY ? 0 : first;
      first = p;
    } else if (p > second) second = p;
  }
  if (first === Number.NEGATIVE_INFINITY) return { confidence: Number.NaN, margin: Number.NaN };
  return { confidence: first, margin: first - second };
}

const before = (a: LabelPick, b: LabelPick): boolean => a.score < b.score || (a.score === b.score && a.candidate.id < b.candidate.id);

/**
 * The candidates seen so far that a strategy ranks first, `n` of them (the pool of n × POOL_FACTOR
 * for diverse), held in a bounded heap: a log of millions is read through it a page at a time.
 */
export class LabelQueue<C extends LabelCandidate = LabelCandidate> {
  /** A max-heap on rank: the root is the worst kept, the one a better candidate replaces. */
  private readonly heap: LabelPick<C>[] = [];
  private readonly keep: number;
  /** Candidates offered, and those without usable probabilities (left out). */
  seen = 0;
  unscored = 0;

  constructor(
    readonly n: number,
    readonly strategy: LabelStrategy,
  ) {
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`n must be a whole number of 1 or more, got ${n}`);
    this.keep = strategy === 'diverse' ? n * POOL_FACTOR : n;
  }

  add(candidate: C): void {
    this.seen += 1;
    const { confidence, margin } = confidenceOf(candidate.probabilities);
    const score = this.strategy === 'margin' ? margin : confidence;
    if (Number.isNaN(score)) {
      this.unscored += 1;
      return;
    }
    const pick = { candidate, score };
    const heap = this.heap;
    if (heap.length < this.keep) {
      heap.push(pick);
      this.up(heap.length - 1);
    } else if (before(pick, heap[0]!)) {
      heap[0] = pick;
      this.down(0);
    }
  }

  /** The picks, most worth a label first (diverse: in the order they were spread). */
  picks(): LabelPick<C>[] {
    const ranked = [...this.heap].sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
    return this.strategy === 'diverse' ? spread(ranked, this.n) : ranked;
  }

  private up(i: number): void {
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[parent]!, heap[i]!)) return;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const heap = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < heap.length && before(heap[worst]!, heap[l]!)) worst = l;
      if (r < heap.length && before(heap[worst]!, heap[r]!)) worst = r;
      if (worst === i) return;
      [heap[worst], heap[i]] = [heap[i]!, heap[worst]!];
      i = worst;
    }
  }
}

/** The `n` candidates most worth a label by `strategy`, most worth first. */
export function pickForLabels<C extends LabelCandidate>(candidates: Iterable<C>, n: number, strategy: LabelStrategy): LabelPick<C>[] {
  const queue = new LabelQueue<C>(n, strategy);
  for (const c of candidates) queue.add(c);
  return queue.picks();
}

type Feature = { kind: 'number'; values: Float64Array } | { kind: 'category'; values: (string | null)[] };

/**
 * `n` of the pool (ranked, least confident first) spread over the inputs: the least confident first,
 * then each time the one farthest from every pick so far (ties: the earlier in rank). Numbers are
 * standardized by the pool's spread; a category counts 1 when it differs; a value missing on one
 * side counts 1.
 */
function spread<C extends LabelCandidate>(pool: LabelPick<C>[], n: number): LabelPick<C>[] {
  if (pool.length <= n) return pool;
  const features = featuresOf(pool.map((p) => p.candidate.input));
  const nearest = new Float64Array(pool.length).fill(Number.POSITIVE_INFINITY);
  const taken = new Uint8Array(pool.length);
  const chosen: LabelPick<C>[] = [];
  let next = 0;
  while (chosen.length < n) {
    taken[next] = 1;
    chosen.push(pool[next]!);
    let far = -1;
    for (let i = 0; i < pool.length; i++) {
      if (taken[i] === 1) continue;
      const d = distance(features, next, i);
      if (d < nearest[i]!) nearest[i] = d;
      if (far < 0 || nearest[i]! > nearest[far]!) far = i;
    }
    if (far < 0) break;
    next = far;
  }
  return chosen;
}

/** The input fields as columns: a field whose every present value is a number is numeric (standardized), any other a category. */
function featuresOf(inputs: readonly unknown[]): Feature[] {
  // A row object's fields by name, a list's by position, anything else as one value.
  const rows = inputs.map((input): Record<string, unknown> => (Array.isArray(input) ? { ...(input as unknown[]) } : typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : { input }));
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))].sort();
  return names.map((name): Feature => {
    const raw = rows.map((r) => r[name]);
    const present = raw.filter((v) => v !== null && v !== undefined);
    if (present.length > 0 && present.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      const xs = raw.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN));
      const mean = present.reduce((s: number, v) => s + (v as number), 0) / present.length;
      const sd = Math.sqrt(present.reduce((s: number, v) => s + ((v as number) - mean) ** 2, 0) / present.length) || 1;
      return { kind: 'number', values: Float64Array.from(xs, (v) => (v - mean) / sd) };
    }
    return { kind: 'category', values: raw.map((v) => (v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v))) };
  });
}

function distance(features: readonly Feature[], a: number, b: number): number {
  let sum = 0;
  for (const f of features) {
    if (f.kind === 'number') {
      const x = f.values[a]!;
      const y = f.values[b]!;
      if (Number.isNaN(x) || Number.isNaN(y)) sum += Number.isNaN(x) && Number.isNaN(y) ? 0 : 1;
      else sum += (x - y) ** 2;
    } else if (f.values[a] !== f.values[b]) sum += 1;
  }
  return Math.sqrt(sum);
}
