import { binaryLossGrad, multinomialLossGrad } from '../linear/logistic-loss.js';

/**
 * Row-range kernels that threads split between them: each reads rows [start, end) of shared inputs,
 * adds its sums into `out` and returns a scalar sum. Running the same kernel on all rows in one thread
 * gives the serial result.
 */
export type KernelName = 'binary-loss' | 'multinomial-loss' | 'centered-gram';

export interface KernelInputs {
  X: Float64Array | Float32Array;
  d: number;
  y: Float64Array;
  /** Per-row weights, or undefined for all ones. */
  s: Float64Array | undefined;
  /** Classes, for multinomial. */
  k: number;
}

export function runKernel(name: KernelName, inputs: KernelInputs, params: Float64Array, start: number, end: number, out: Float64Array): number {
  switch (name) {
    case 'binary-loss':
      return binaryLossGrad(inputs, params, start, end, out);
    case 'multinomial-loss':
      return multinomialLossGrad(inputs, params, inputs.k, start, end, out);
    case 'centered-gram':
      return centeredGramRows(inputs, params, start, end, out);
  }
}

/** Output length of a kernel's sums (the scalar is returned separately). */
export function kernelOutputLength(name: KernelName, d: number, k: number): number {
  switch (name) {
    case 'binary-loss':
      return d + 1;
    case 'multinomial-loss':
      return k * d + k;
    case 'centered-gram':
      return d * d + d;
  }
}

const BLOCK_ROWS = 256;

/**
 * Σ wᵢ (xᵢ − x̄)(xᵢ − x̄)ᵀ (upper triangle, into out[0 .. d²)) and Σ wᵢ (xᵢ − x̄)(yᵢ − ȳ) (into
 * out[d² .. d² + d)); returns Σ wᵢ (yᵢ − ȳ)². params = [x̄ (d), ȳ].
 * Like a BLAS syrk: a block of rows is centered, scaled by √wᵢ and transposed so each column is
 * contiguous, then 2 × 2 tiles of the Gram matrix are summed down the columns in registers, one load
 * per multiply-add instead of the three of a row-by-row outer product.
 */
function centeredGramRows(inputs: KernelInputs, params: Float64Array, start: number, end: number, out: Float64Array): number {
  const { X, d, y, s } = inputs;
  const yMean = params[d]!;
  const cAt = d * d;
  // Columns of the centered block, plus one for the centered target: d + 1 columns of BLOCK_ROWS.
  const T = new Float64Array((d + 1) * BLOCK_ROWS);
  const yCol = d * BLOCK_ROWS;
  const roots = new Float64Array(BLOCK_ROWS);
  let yy = 0;
  for (let b = start; b < end; b += BLOCK_ROWS) {
    const m = Math.min(BLOCK_ROWS, end - b);
    // Fill column by column: contiguous writes, and the block's rows stay in cache for the strided reads.
    for (let r = 0; r < m; r++) roots[r] = s === undefined ? 1 : Math.sqrt(s[b + r]!);
    for (let j = 0; j < d; j++) {
      const col = j * BLOCK_ROWS;
      const mean = params[j]!;
      let at = b * d + j;
      for (let r = 0; r < m; r++, at += d) T[col + r] = (X[at]! - mean) * roots[r]!;
    }
    for (let r = 0; r < m; r++) {
      const res = (y[b + r]! - yMean) * roots[r]!;
      T[yCol + r] = res;
      yy += res * res;
    }
    for (let j = 0; j < d; j += 2) {
      const two = j + 1 < d;
      const a0 = j * BLOCK_ROWS;
      const a1 = two ? a0 + BLOCK_ROWS : a0;
      for (let k = j; k <= d; k += 2) {
        // Column k may be the target column (k == d): its sums go to c.
        const b0 = k * BLOCK_ROWS;
        const hasB1 = k + 1 <= d;
        const b1 = hasB1 ? b0 + BLOCK_ROWS : b0;
        let s00 = 0;
        let s01 = 0;
        let s10 = 0;
        let s11 = 0;
        for (let r = 0; r < m; r++) {
          const x0 = T[a0 + r]!;
          const x1 = T[a1 + r]!;
          const z0 = T[b0 + r]!;
          const z1 = T[b1 + r]!;
          s00 += x0 * z0;
          s01 += x0 * z1;
          s10 += x1 * z0;
          s11 += x1 * z1;
        }
        addGram(out, d, cAt, j, k, s00);
        if (hasB1) addGram(out, d, cAt, j, k + 1, s01);
        if (two) {
          addGram(out, d, cAt, j + 1, k, s10);
          if (hasB1) addGram(out, d, cAt, j + 1, k + 1, s11);
        }
      }
    }
  }
  return yy;
}

/** Adds a sum for feature column `j` against column `k` (a feature, or the target when k == d). Only j ≤ k is kept. */
function addGram(out: Float64Array, d: number, cAt: number, j: number, k: number, v: number): void {
  if (k === d) out[cAt + j] += v;
  else if (j <= k) out[j * d + k] += v;
}
