import { Random } from '../synth/random.js';

/**
 * A uniform sample of rows, kept beside the sketches because a domain classifier needs rows, not
 * marginals: the reference keeps one of its training rows, each window one of its traffic. Plain JSON:
 * a number, a label, or null (missing) per column. Mergeable (mergeSamples) as windows are.
 */
export type SampleValue = number | string | null;

export interface RowSample {
  /** The columns of each row, in order. */
  columns: string[];
  /** Rows the sample was drawn from, uniformly and without replacement: what it stands for when merged. */
  seen: number;
  rows: SampleValue[][];
}

/** Rows a sample keeps at most: enough for a classifier's AUC to tell 0.55 from 0.5 (its null spread is about 0.02 at 500 against 500). */
export const SAMPLE_ROWS = 500;

/** A seed from numbers that identify what is sampled (a window's version and start), so a fold is reproducible. */
export function seedOf(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    // The low and high 32 bits: epoch milliseconds do not fit in one.
    h = Math.imul(h ^ (p >>> 0), 0x01000193);
    h = Math.imul(h ^ (Math.floor(p / 4294967296) >>> 0), 0x01000193);
  }
  return h >>> 0;
}

/**
 * Fills a sample as rows stream by (Li's Algorithm L): after the first `size` rows, the next row kept is
 * drawn as a skip, so a row not kept costs a compare — the fold's speed does not change.
 */
export class Reservoir {
  private readonly rng: Random;
  private w = 1;
  private next = 0;

  constructor(
    private readonly sample: RowSample,
    private readonly size = SAMPLE_ROWS,
    seed = 0,
  ) {
    this.rng = new Random(seed);
    this.step();
    this.next += size - 1;
    // A sample of no rows keeps none (the skip's draws would divide by 0 and never pass a batch's end).
    if (!(size > 0)) this.next = Infinity;
  }

  /** Counts a row; the position its values go to (rows.length: appended), or -1 when it is not kept. */
  offer(): number {
    const i = this.sample.seen++;
    if (i < this.size) return i;
    if (i !== this.next) return -1;
    this.step();
    return this.rng.int(this.size);
  }

  /** offer() for `count` rows at once, calling `keep` with each kept row's offset in them and its position: no work per row not kept. */
  offerMany(count: number, keep: (offset: number, at: number) => void): void {
    const start = this.sample.seen;
    const end = start + count;
    for (let i = start; i < Math.min(end, this.size); i++) keep(i - start, i);
    // The same draws, in the same order, as offer() row by row.
    while (this.next < end) {
      const i = this.next;
      this.step();
      keep(i - start, this.rng.int(this.size));
    }
    this.sample.seen = end;
  }

  private step(): void {
    this.w *= Math.exp(Math.log(this.open()) / this.size);
    this.next += Math.floor(Math.log(this.open()) / Math.log(1 - this.w)) + 1;
  }

  /** Uniform in (0, 1): logs need it above 0. */
  private open(): number {
    return 1 - this.rng.uniform();
  }
}

/**
 * A uniform sample of the union of two samples' rows: how many come from each side is drawn as a
 * uniform sample of the union would take them (hypergeometric: in proportion to the rows each stands
 * for, on average), then that many from each at random. Seeded by the samples' sizes: reproducible.
 */
export function mergeSamples(a: RowSample, b: RowSample, size = SAMPLE_ROWS): RowSample {
  if (a.columns.length !== b.columns.length || a.columns.some((c, j) => b.columns[j] !== c)) throw new Error('row samples of different columns do not merge');
  const total = a.seen + b.seen;
  const k = Math.min(size, a.rows.length + b.rows.length);
  const rng = new Random(seedOf(a.seen, b.seen, a.rows.length, b.rows.length));
  let fromA = 0;
  for (let i = 0; i < k; i++) if (rng.uniform() * (total - i) < a.seen - fromA) fromA++;
  // A side kept fewer rows than it stands for only when it saw more than `size`, so these bounds rarely bind.
  fromA = Math.max(k - b.rows.length, Math.min(a.rows.length, fromA));
  return { columns: [...a.columns], seen: total, rows: [...pick(a.rows, fromA, rng), ...pick(b.rows, k - fromA, rng)] };
}

/** `k` of `rows` at random (a partial Fisher–Yates shuffle of their positions). */
export function pick<T>(rows: readonly T[], k: number, rng: Random): T[] {
  if (k >= rows.length) return [...rows];
  const at = Array.from(rows.keys());
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(at.length - i);
    [at[i], at[j]] = [at[j]!, at[i]!];
  }
  return at.slice(0, k).map((i) => rows[i]!);
}
