import type { Matrix } from '../contract.js';
import { throwIfAborted, yieldToEventLoop } from '../errors.js';
import { RowPool } from '../parallel/pool.js';

export interface CenteredGram {
  /** Σ wᵢ (xᵢ − x̄)(xᵢ − x̄)ᵀ, d × d, full (both triangles). */
  G: Float64Array;
  /** Σ wᵢ (xᵢ − x̄)(yᵢ − ȳ). */
  c: Float64Array;
  /** Σ wᵢ (yᵢ − ȳ)². */
  yy: number;
  xMean: Float64Array;
  yMean: number;
  sumWeights: number;
}

const BLOCK = 1 << 18;
const SHIFT_ROWS = 1024;

/**
 * The weighted, centered normal equations of least squares in one pass over X. Rows are shifted by
 * the mean of the first rows (close to the true mean, so the sums stay well conditioned) and the exact
 * centering is applied afterwards from the shifted column sums: G = Gₛ − u uᵀ / S. Everything after
 * this is d × d work. A NaN or infinity in X shows up in the sums; only then is X scanned to name it.
 */
export async function centeredGram(X: Matrix, y: Float64Array, weights: Float64Array | undefined, signal?: AbortSignal, onNonFinite?: () => void): Promise<CenteredGram> {
  const { n, d, data } = X;
  const D = d + 2;
  const shift = new Float64Array(d + 1);
  let shiftWeight = 0;
  for (let i = 0; i < Math.min(n, SHIFT_ROWS); i++) {
    const w = weights ? weights[i]! : 1;
    if (!(w > 0)) continue;
    shiftWeight += w;
    for (let j = 0; j < d; j++) shift[j] += w * data[i * d + j]!;
    shift[d] += w * y[i]!;
  }
  if (shiftWeight > 0) for (let j = 0; j <= d; j++) shift[j] /= shiftWeight;
  for (let j = 0; j <= d; j++) if (!Number.isFinite(shift[j])) shift[j] = 0;

  // The pass is split across threads, in blocks so an abort is seen between them.
  const sums = new Float64Array(D * D);
  const pool = RowPool.create('shifted-gram', { X: data, d, y, s: weights, k: 1 }, n, d + 1);
  try {
    for (let start = 0; start < n; start += BLOCK) {
      await yieldToEventLoop();
      throwIfAborted(signal);
      pool.run(shift, sums, start, Math.min(n, start + BLOCK));
    }
  } finally {
    pool.close();
  }
  if (!sums.every(Number.isFinite)) onNonFinite?.();
  // Columns of the sums: features 0..d−1, target d, weight d+1 (only j ≤ k is filled).
  const at = (j: number, k: number): number => (j <= k ? sums[j * D + k]! : sums[k * D + j]!);
  const sumWeights = at(d + 1, d + 1);
  const u = Float64Array.from({ length: d }, (_, j) => at(j, d + 1));
  const v = at(d, d + 1);
  const G = new Float64Array(d * d);
  const c = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    for (let k = j; k < d; k++) G[j * d + k] = G[k * d + j] = at(j, k) - (u[j]! * u[k]!) / sumWeights;
    c[j] = at(j, d) - (u[j]! * v) / sumWeights;
  }
  const yy = at(d, d) - (v * v) / sumWeights;
  const xMean = Float64Array.from({ length: d }, (_, j) => shift[j]! + u[j]! / sumWeights);
  const yMean = shift[d]! + v / sumWeights;
  return { G, c, yy, xMean, yMean, sumWeights };
}
