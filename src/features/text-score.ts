import type { Table } from '../data/table.js';
import { TableInputs, type RowInputs } from './inputs.js';
import { fnv1a, hashTokens } from './text.js';

/**
 * A text column as trees can use it: the score of a linear model (ridge for regression, logistic for
 * each class, the positive class alone for binary) fitted on the column's hashed tf-idf words and
 * bigrams. Trees split hashed word counts poorly (each bucket mixes unrelated words, and a word's
 * weight is spread over many splits); one score carries what the words say about the target.
 *
 * The step stores the model fitted on all training rows, which scores new rows. The training rows
 * themselves get out-of-fold scores (`fitTextScore`'s `oof`): in-sample scores would have seen each
 * row's own target, and trees would trust them far more than they deserve on new rows.
 */
export interface TextScoreStep {
  kind: 'text-score';
  input: number;
  buckets: number;
  /** Per bucket, as the hashing step's: ln((1 + n) / (1 + df)) + 1. */
  idf: number[];
  /** Per output (one, or one per class for multiclass), a weight per bucket. */
  weights: number[][];
  intercepts: number[];
}

/** What a supervised step learns from: the encoded target of the training rows. */
export interface RecipeTarget {
  /** Class codes (0 … classes − 1) or values, one per table row; NaN rows are not learned from. */
  y: Float64Array;
  task: 'binary' | 'multiclass' | 'regression';
  /** Class labels (classification), for feature names. */
  labels?: readonly string[];
  /** Seeds the folds of the out-of-fold scores. */
  seed: number;
  /** The target column: a condition that reads it is refused (it could not run on new data). */
  name?: string;
}

/** Buckets for the score's model: more than the hashing step's, since they cost one weight each, not a feature each. */
export const TEXT_SCORE_BUCKETS = 1024;
const FOLDS = 5;
/**
 * Each model learns from at most this many rows (evenly spread): 1,024 weights are learned well from
 * far fewer, and fitting six models on every row of 100,000 reviews took 9 s (the whole step, 3.8 s at this cap).
 */
const MAX_FIT_ROWS = 10_000;
/** L2 penalty on the summed loss (scikit-learn's C = 1); rows are unit length, so one value fits all. */
const LAMBDA = 1;

/** Bucket → tf-idf weight of a text, scaled to unit length, as parallel arrays. */
function sparseTfIdf(text: string, buckets: number, idf: readonly number[]): { index: number[]; value: number[] } {
  const counts = new Map<number, number>();
  hashTokens(text, buckets, (b) => counts.set(b, (counts.get(b) ?? 0) + 1));
  const index: number[] = [];
  const value: number[] = [];
  let norm = 0;
  for (const [b, c] of counts) {
    const v = c * idf[b]!;
    index.push(b);
    value.push(v);
    norm += v * v;
  }
  if (norm > 0) for (let j = 0, s = 1 / Math.sqrt(norm); j < value.length; j++) value[j]! *= s;
  return { index, value };
}

export function textScoreWidth(step: TextScoreStep): number {
  return step.weights.length;
}

/** Writes the step's scores for the row at out[at …]; missing text scores NaN (trees route it on its own). */
export function encodeTextScore(step: TextScoreStep, inputs: RowInputs, out: Float64Array, at: number): void {
  const text = inputs.text(step.input);
  const width = step.weights.length;
  if (text === null) {
    for (let k = 0; k < width; k++) out[at + k] = NaN;
    return;
  }
  const { index, value } = sparseTfIdf(text, step.buckets, step.idf);
  for (let k = 0; k < width; k++) {
    const w = step.weights[k]!;
    let z = step.intercepts[k]!;
    for (let j = 0; j < index.length; j++) z += w[index[j]!]! * value[j]!;
    out[at + k] = z;
  }
}

/** Rows of hashed tf-idf, compressed: row i holds cols/vals[start[i] … start[i + 1]). */
interface SparseRows {
  start: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
}

/**
 * Fits the step on the table's column and returns, with it, the out-of-fold scores of the table's rows
 * (row-major, n × width): row i's scores come from a model fitted on the other folds.
 */
export function fitTextScore(table: Table, column: string, input: number, target: RecipeTarget, idf: number[], buckets = TEXT_SCORE_BUCKETS): { step: TextScoreStep; oof: Float64Array } {
  const n = table.nRows;
  const inputs = new TableInputs(table, [column]);
  const present = new Uint8Array(n);
  const textFold = new Int32Array(n);
  const start = new Int32Array(n + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < n; i++) {
    inputs.row = i;
    const text = inputs.text(0);
    if (text !== null) {
      present[i] = 1;
      textFold[i] = foldOfText(text, target.seed);
      const { index, value } = sparseTfIdf(text, buckets, idf);
      for (let j = 0; j < index.length; j++) {
        cols.push(index[j]!);
        vals.push(value[j]!);
      }
    }
    start[i + 1] = cols.length;
  }
  const rows: SparseRows = { start, cols: Int32Array.from(cols), vals: Float64Array.from(vals) };
  // Outputs: the target itself (regression), 1 for the positive class (binary), or each class against the rest.
  let classes = 1;
  if (target.task === 'multiclass') for (const v of target.y) if (v === v) classes = Math.max(classes, v + 1);
  if (target.task === 'multiclass' && target.labels !== undefined) classes = Math.max(classes, target.labels.length);
  const outputs = Array.from({ length: classes }, (_, k) => {
    if (target.task === 'regression') return target.y;
    const positive = target.task === 'binary' ? 1 : k;
    return target.y.map((v) => (v !== v ? NaN : v === positive ? 1 : 0));
  });
  const logistic = target.task !== 'regression';
  const learnable = Int32Array.from({ length: n }, (_, i) => i).filter((i) => present[i] === 1 && target.y[i] === target.y[i]);
  const fold = Int32Array.from(learnable, (i) => textFold[i]!);
  const oof = new Float64Array(n * classes).fill(NaN);
  const weights: number[][] = [];
  const intercepts: number[] = [];
  for (let k = 0; k < classes; k++) {
    const y = outputs[k]!;
    for (let f = 0; f < FOLDS; f++) {
      const fitRows = learnable.filter((_, r) => fold[r] !== f);
      const heldOut = learnable.filter((_, r) => fold[r] === f);
      if (heldOut.length === 0) continue;
      const model = fitLinear(rows, evenlySpread(fitRows, MAX_FIT_ROWS), y, buckets, logistic);
      for (const i of heldOut) oof[i * classes + k] = score(rows, i, model.w, model.b);
    }
    const full = fitLinear(rows, evenlySpread(learnable, MAX_FIT_ROWS), y, buckets, logistic);
    weights.push(Array.from(full.w));
    intercepts.push(full.b);
    // Rows the folds did not score (no target) take the full model's score; missing text stays NaN.
    for (let i = 0; i < n; i++) if (present[i] === 1 && oof[i * classes + k] !== oof[i * classes + k]) oof[i * classes + k] = score(rows, i, full.w, full.b);
  }
  return { step: { kind: 'text-score', input, buckets, idf, weights, intercepts }, oof };
}

/**
 * A row's fold, from its text and the seed: rows with the same text share a fold, so a row repeated
 * (--upsample repeats minority rows; data sets repeat reviews) never scores itself out of fold.
 */
function foldOfText(text: string, seed: number): number {
  let h = Math.imul(fnv1a(text) ^ seed, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) % FOLDS;
}

/** At most `max` of the rows, evenly spaced (all of them when there are no more). */
function evenlySpread(rows: Int32Array, max: number): Int32Array {
  if (rows.length <= max) return rows;
  return Int32Array.from({ length: max }, (_, j) => rows[Math.floor((j * rows.length) / max)]!);
}

function score(rows: SparseRows, i: number, w: Float64Array, b: number): number {
  let z = b;
  for (let p = rows.start[i]!; p < rows.start[i + 1]!; p++) z += w[rows.cols[p]!]! * rows.vals[p]!;
  return z;
}

const NEWTON_STEPS = 6;
const CG_STEPS = 20;

/**
 * Minimizes Σ loss(yᵢ, xᵢ·w + b) + λ/2 ‖w‖² over the given rows by Newton's method with conjugate
 * gradients (Hessian-vector products on the sparse rows, never a dense Hessian): squared error
 * (ridge, one Newton step is the exact solve, up to CG's accuracy) or logistic loss. Few steps: the
 * score only needs to rank and separate, not to converge to the last digit.
 */
function fitLinear(rows: SparseRows, use: Int32Array, yAll: Float64Array, d: number, logistic: boolean): { w: Float64Array; b: number } {
  const m = use.length;
  const w = new Float64Array(d);
  if (m === 0) return { w, b: 0 };
  // Regression targets are standardized for the solve (any scale: gross takings in dollars), then the fit scaled back.
  let mean = 0;
  for (const i of use) mean += yAll[i]!;
  mean /= m;
  let sd = 1;
  if (!logistic) {
    let ss = 0;
    for (const i of use) ss += (yAll[i]! - mean) ** 2;
    sd = Math.sqrt(ss / m) || 1;
  }
  const y = new Float64Array(m);
  for (let r = 0; r < m; r++) y[r] = logistic ? yAll[use[r]!]! : (yAll[use[r]!]! - mean) / sd;
  const rate = Math.min(1 - 1e-6, Math.max(1e-6, mean));
  let b = logistic ? Math.log(rate / (1 - rate)) : 0;
  const z = new Float64Array(m);
  const h = new Float64Array(m);
  const g = new Float64Array(d + 1);
  const objective = (wt: Float64Array, bt: number): number => {
    let f = 0;
    for (let r = 0; r < m; r++) {
      const zr = score(rows, use[r]!, wt, bt);
      f += logistic ? softplus(zr) - y[r]! * zr : 0.5 * (zr - y[r]!) ** 2;
    }
    let reg = 0;
    for (let j = 0; j < d; j++) reg += wt[j]! * wt[j]!;
    return f + (LAMBDA / 2) * reg;
  };
  let f = objective(w, b);
  for (let step = 0; step < (logistic ? NEWTON_STEPS : 1); step++) {
    // Gradient and Hessian weights at the current point.
    g.fill(0);
    for (let r = 0; r < m; r++) {
      const i = use[r]!;
      z[r] = score(rows, i, w, b);
      let residual: number;
      if (logistic) {
        const p = 1 / (1 + Math.exp(-z[r]!));
        residual = p - y[r]!;
        h[r] = Math.max(p * (1 - p), 1e-10);
      } else {
        residual = z[r]! - y[r]!;
        h[r] = 1;
      }
      for (let p = rows.start[i]!; p < rows.start[i + 1]!; p++) g[rows.cols[p]!]! += residual * rows.vals[p]!;
      g[d]! += residual;
    }
    for (let j = 0; j < d; j++) g[j]! += LAMBDA * w[j]!;
    let gmax = 0;
    for (const v of g) gmax = Math.max(gmax, Math.abs(v));
    if (gmax < 1e-6 * m) break;
    const direction = conjugateGradient(rows, use, h, g, d);
    // Backtracking: a full Newton step can overshoot on nearly separable text.
    let t = 1;
    const wNext = new Float64Array(d);
    let accepted = false;
    for (let tries = 0; tries < 20; tries++) {
      for (let j = 0; j < d; j++) wNext[j] = w[j]! - t * direction[j]!;
      const bNext = b - t * direction[d]!;
      const fNext = objective(wNext, bNext);
      if (fNext <= f) {
        w.set(wNext);
        b = bNext;
        accepted = f - fNext > 1e-9 * Math.abs(f);
        f = fNext;
        break;
      }
      t /= 2;
    }
    if (!accepted) break;
  }
  if (!logistic) {
    for (let j = 0; j < d; j++) w[j]! *= sd;
    b = b * sd + mean;
  }
  return { w, b };
}

function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** Solves H v = g by conjugate gradients, H = Xᵀ diag(h) X + λ (no penalty on the intercept, the last coordinate). */
function conjugateGradient(rows: SparseRows, use: Int32Array, h: Float64Array, g: Float64Array, d: number): Float64Array {
  const dim = d + 1;
  const v = new Float64Array(dim);
  const r = g.slice();
  const p = g.slice();
  const hp = new Float64Array(dim);
  let rr = dot(r, r);
  const stop = rr * 1e-4;
  for (let it = 0; it < CG_STEPS && rr > stop; it++) {
    hessianTimes(rows, use, h, p, d, hp);
    const alpha = rr / dot(p, hp);
    if (!Number.isFinite(alpha)) break;
    for (let j = 0; j < dim; j++) {
      v[j]! += alpha * p[j]!;
      r[j]! -= alpha * hp[j]!;
    }
    const next = dot(r, r);
    const beta = next / rr;
    rr = next;
    for (let j = 0; j < dim; j++) p[j] = r[j]! + beta * p[j]!;
  }
  return v;
}

function hessianTimes(rows: SparseRows, use: Int32Array, h: Float64Array, v: Float64Array, d: number, out: Float64Array): void {
  out.fill(0);
  for (let r = 0; r < use.length; r++) {
    const i = use[r]!;
    const xv = score(rows, i, v, v[d]!) * h[r]!;
    for (let p = rows.start[i]!; p < rows.start[i + 1]!; p++) out[rows.cols[p]!]! += xv * rows.vals[p]!;
    out[d]! += xv;
  }
  for (let j = 0; j < d; j++) out[j]! += LAMBDA * v[j]!;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j]! * b[j]!;
  return s;
}
