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

/**
 * The weighted, centered normal equations of least squares in two passes over X: means, then the
 * upper triangle of the Gram matrix from centered rows (centering first keeps the sums well
 * conditioned). Everything after this is d × d work.
 */
export async function centeredGram(X: Matrix, y: Float64Array, weights: Float64Array | undefined, signal?: AbortSignal): Promise<CenteredGram> {
  const { n, d, data } = X;
  const xMean = new Float64Array(d);
  let yMean = 0;
  let sumWeights = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i]! : 1;
    if (w === 0) continue;
    sumWeights += w;
    yMean += w * y[i]!;
    const base = i * d;
    for (let j = 0; j < d; j++) xMean[j] += w * data[base + j]!;
  }
  for (let j = 0; j < d; j++) xMean[j] /= sumWeights;
  yMean /= sumWeights;

  // The Gram pass dominates: split it across threads, in blocks so an abort is seen between them.
  const out = new Float64Array(d * d + d);
  const params = new Float64Array(d + 1);
  params.set(xMean);
  params[d] = yMean;
  const pool = RowPool.create('centered-gram', { X: data, d, y, s: weights, k: 1 }, n, d + 1);
  let yy = 0;
  try {
    for (let start = 0; start < n; start += BLOCK) {
      await yieldToEventLoop();
      throwIfAborted(signal);
      yy += pool.run(params, out, start, Math.min(n, start + BLOCK));
    }
  } finally {
    pool.close();
  }
  const G = out.slice(0, d * d);
  const c = out.slice(d * d);
  for (let j = 0; j < d; j++) for (let k = 0; k < j; k++) G[j * d + k] = G[k * d + j]!;
  return { G, c, yy, xMean, yMean, sumWeights };
}
