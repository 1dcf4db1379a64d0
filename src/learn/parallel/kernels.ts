import { binaryLossGrad, multinomialLossGrad } from '../linear/logistic-loss.js';
import { wasmShiftedGram } from '../wasm/gram.js';

/**
 * Row-range kernels that threads split between them: each reads rows [start, end) of shared inputs,
 * adds its sums into `out` and returns a scalar sum. Running the same kernel on all rows in one thread
 * gives the serial result.
 */
export type KernelName = 'binary-loss' | 'multinomial-loss' | 'shifted-gram';

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
    case 'shifted-gram':
      wasmShiftedGram(inputs.X, inputs.d, inputs.y, inputs.s, params, params[inputs.d]!, start, end, out);
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
  }
}
