import type { Matrix } from '../contract.js';
import { throwIfAborted, yieldToEventLoop } from '../errors.js';

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

const ABORT_EVERY = 1 << 16;

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

  const G = new Float64Array(d * d);
  const c = new Float64Array(d);
  const row = new Float64Array(d);
  let yy = 0;
  for (let i = 0; i < n; i++) {
    if ((i & (ABORT_EVERY - 1)) === 0) {
      await yieldToEventLoop();
      throwIfAborted(signal);
    }
    const w = weights ? weights[i]! : 1;
    if (w === 0) continue;
    const base = i * d;
    for (let j = 0; j < d; j++) row[j] = data[base + j]! - xMean[j]!;
    const r = y[i]! - yMean;
    yy += w * r * r;
    for (let j = 0; j < d; j++) {
      const a = w * row[j]!;
      c[j] += a * r;
      const gj = j * d;
      for (let k = j; k < d; k++) G[gj + k] += a * row[k]!;
    }
  }
  for (let j = 0; j < d; j++) for (let k = 0; k < j; k++) G[j * d + k] = G[k * d + j]!;
  return { G, c, yy, xMean, yMean, sumWeights };
}
