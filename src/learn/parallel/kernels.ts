import { binaryLossGrad, multinomialLossGrad } from '../linear/logistic-loss.js';
import { wasmShiftedGram } from '../wasm/gram.js';

/**
 * Row-range kernels that threads split between them: each reads rows [start, end) of shared inputs,
 * adds its sums into `out` and returns a scalar sum. Running the same kernel on all rows in one thread
 * gives the serial result.
 */
export type KernelName = 'binary-loss' | 'multinomial-loss' | 'shifted-gram' | 'histogram';

export interface KernelInputs {
  X: Float64Array | Float32Array;
  d: number;
  y: Float64Array;
  /** Per-row weights, or undefined for all ones. */
  s: Float64Array | undefined;
  /** Classes, for multinomial. */
  k: number;
  /** Tree kernels only. */
  bins?: Uint8Array;
  rows?: Int32Array;
  grad?: Float64Array;
  hess?: Float64Array;
  unitHessian?: boolean;
}

export function runKernel(name: KernelName, inputs: KernelInputs, params: Float64Array, start: number, end: number, out: Float64Array): number {
  switch (name) {
    case 'binary-loss':
      return binaryLossGrad(inputs, params, start, end, out);
    case 'multinomial-loss':
      return multinomialLossGrad(inputs, params, inputs.k, start, end, out);
    case 'shifted-gram':
      wasmShiftedGram(inputs.X, inputs.d, inputs.y, inputs.s, params, params[inputs.d]!, start, end, out);
      return 0;
    case 'histogram':
      histogramRows(inputs, params[0]!, start, end, out);
      return 0;
  }
}

/** Output length of a kernel's sums (the scalar is returned separately). */
export function kernelOutputLength(name: KernelName, d: number, k: number): number {
  switch (name) {
    case 'binary-loss':
      return d + 1;
    case 'multinomial-loss':
      return k * d + k;
    case 'shifted-gram':
      return (d + 2) * (d + 2);
    case 'histogram':
      return d * HISTOGRAM_BINS * HISTOGRAM_STRIDE;
  }
}

export const HISTOGRAM_BINS = 256;
/** Gradient sum, hessian sum and (weighted) row count per bin. */
export const HISTOGRAM_STRIDE = 3;

/**
 * Adds (gradient, hessian, count) per bin per feature for the rows at positions [start, end) of the
 * row permutation: each row's bins are read together (row-major) and its gradient added to every
 * feature's histogram. `offset` selects a class's block of the gradients (c × n for softmax).
 */
function histogramRows(inputs: KernelInputs, offset: number, start: number, end: number, hist: Float64Array): void {
  const { d, s } = inputs;
  const bins = inputs.bins!;
  const rows = inputs.rows!;
  const grad = inputs.grad!;
  const hess = inputs.hess!;
  const unit = inputs.unitHessian === true;
  for (let r = start; r < end; r++) {
    const i = rows[r]!;
    const g = grad[offset + i]!;
    const h = unit ? 1 : hess[offset + i]!;
    const c = s === undefined ? 1 : s[i]!;
    const base = i * d;
    for (let f = 0; f < d; f++) {
      const o = ((f << 8) + bins[base + f]!) * HISTOGRAM_STRIDE;
      hist[o] += g;
      hist[o + 1] += h;
      hist[o + 2] += c;
    }
  }
}
