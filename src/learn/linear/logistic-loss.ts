/**
 * Weighted log loss and its gradient over a range of rows, in one pass over X per evaluation: each row's
 * score, its residual and its gradient contribution are computed while the row is in cache. Returns the
 * weighted loss sum; adds the gradient sum into `grad`. Parameters are laid out [w (d), b] for binary and
 * [W (k × d, row-major), b (k)] for multinomial. Row ranges let worker threads split the work.
 */
export interface LossData {
  X: Float64Array | Float32Array;
  d: number;
  /** Class codes. */
  y: Float64Array;
  /** Per-row weights (sample weight × class weight), or undefined for all ones. */
  s: Float64Array | undefined;
}

export function binaryLossGrad(data: LossData, theta: Float64Array, start: number, end: number, grad: Float64Array): number {
  const { X, d, y, s } = data;
  const b = theta[d]!;
  let loss = 0;
  let gb = 0;
  for (let i = start; i < end; i++) {
    const w = s === undefined ? 1 : s[i]!;
    if (w === 0) continue;
    const base = i * d;
    let z = b;
    for (let j = 0; j < d; j++) z += X[base + j]! * theta[j]!;
    // log(1 + e^z) − y z, stably; σ(z) without overflow.
    const yi = y[i]!;
    let p: number;
    if (z > 0) {
      const e = Math.exp(-z);
      loss += w * (z + Math.log1p(e) - yi * z);
      p = 1 / (1 + e);
    } else {
      const e = Math.exp(z);
      loss += w * (Math.log1p(e) - yi * z);
      p = e / (1 + e);
    }
    const r = w * (p - yi);
    gb += r;
    for (let j = 0; j < d; j++) grad[j] += r * X[base + j]!;
  }
  grad[d] += gb;
  return loss;
}

export function multinomialLossGrad(data: LossData, theta: Float64Array, k: number, start: number, end: number, grad: Float64Array): number {
  const { X, d, y, s } = data;
  const z = new Float64Array(k);
  const interceptAt = k * d;
  let loss = 0;
  for (let i = start; i < end; i++) {
    const w = s === undefined ? 1 : s[i]!;
    if (w === 0) continue;
    const base = i * d;
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      let v = theta[interceptAt + c]!;
      const wc = c * d;
      for (let j = 0; j < d; j++) v += X[base + j]! * theta[wc + j]!;
      z[c] = v;
      if (v > max) max = v;
    }
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(z[c]! - max);
      z[c] = e;
      sum += e;
    }
    const yi = y[i]!;
    // z now holds exp(z − max); the loss is log Σ exp − z_y.
    loss += w * (Math.log(sum) - Math.log(z[yi]!));
    for (let c = 0; c < k; c++) {
      const r = w * (z[c]! / sum - (c === yi ? 1 : 0));
      grad[interceptAt + c] += r;
      const wc = c * d;
      for (let j = 0; j < d; j++) grad[wc + j] += r * X[base + j]!;
    }
  }
  return loss;
}
