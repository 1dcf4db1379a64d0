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
    const z = b + dot(X, base, theta, 0, d);
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
    axpy(r, X, base, grad, 0, d);
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
      const v = theta[interceptAt + c]! + dot(X, base, theta, c * d, d);
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
      axpy(r, X, base, grad, c * d, d);
    }
  }
  return loss;
}

/** Σⱼ a[ai + j] · b[bi + j], four independent sums so the additions don't wait on each other. */
export function dot(a: Float64Array | Float32Array, ai: number, b: Float64Array, bi: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (const end = d - 3; j < end; j += 4) {
    s0 += a[ai + j]! * b[bi + j]!;
    s1 += a[ai + j + 1]! * b[bi + j + 1]!;
    s2 += a[ai + j + 2]! * b[bi + j + 2]!;
    s3 += a[ai + j + 3]! * b[bi + j + 3]!;
  }
  for (; j < d; j++) s0 += a[ai + j]! * b[bi + j]!;
  return s0 + s1 + (s2 + s3);
}

/** out[oi + j] += r · a[ai + j], unrolled by four. */
export function axpy(r: number, a: Float64Array | Float32Array, ai: number, out: Float64Array, oi: number, d: number): void {
  let j = 0;
  for (const end = d - 3; j < end; j += 4) {
    out[oi + j] += r * a[ai + j]!;
    out[oi + j + 1] += r * a[ai + j + 1]!;
    out[oi + j + 2] += r * a[ai + j + 2]!;
    out[oi + j + 3] += r * a[ai + j + 3]!;
  }
  for (; j < d; j++) out[oi + j] += r * a[ai + j]!;
}
