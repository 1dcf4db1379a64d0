import type { Matrix } from './contract.js';

/**
 * A zeroed n × d matrix on a SharedArrayBuffer, so learners that split rows across worker threads can
 * share it without a copy. Build training matrices with this; any Matrix works, at the price of one copy.
 */
export function allocateMatrix(n: number, d: number, type: 'float64' | 'float32' = 'float64'): Matrix {
  const bytes = type === 'float64' ? 8 : 4;
  const buffer = new SharedArrayBuffer(n * d * bytes);
  return { data: type === 'float64' ? new Float64Array(buffer) : new Float32Array(buffer), n, d };
}
