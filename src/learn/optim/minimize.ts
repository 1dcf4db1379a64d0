import { throwIfAborted, yieldToEventLoop } from '../errors.js';

/** f(x), with the gradient written into g. */
export type Objective = (x: Float64Array, g: Float64Array) => number | Promise<number>;

export interface MinimizeOptions {
  maxIter: number;
  /** Stop when the largest (pseudo-)gradient component is at most gtol. */
  gtol: number;
  /** Stop when an iteration lowers f by at most ftol relative to |f|. */
  ftol: number;
  /** Per-coordinate L1 weights: minimizes f(x) + Σ l1ᵢ|xᵢ| by OWL-QN. Omit for plain L-BFGS. */
  l1?: Float64Array;
  memory?: number;
  signal?: AbortSignal;
  onIteration?: (iteration: number, f: number) => void;
}

export interface MinimizeResult {
  x: Float64Array;
  f: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
}

/**
 * Limited-memory BFGS (Nocedal & Wright, alg. 7.4) with a strong-Wolfe line search, or with `l1`,
 * OWL-QN (Andrew & Gao, 2007): the same two-loop recursion on the pseudo-gradient, with steps kept in
 * the current orthant and a backtracking line search.
 */
export async function minimize(objective: Objective, x0: Float64Array, options: MinimizeOptions): Promise<MinimizeResult> {
  const n = x0.length;
  const m = options.memory ?? 10;
  const l1 = options.l1;
  let x: Float64Array = x0.slice();
  let g: Float64Array = new Float64Array(n);
  let fSmooth = await objective(x, g);
  let evaluations = 1;
  let f = fSmooth + l1Norm(x, l1);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const pg = new Float64Array(n);
  const direction = new Float64Array(n);
  const alphaBuf = new Float64Array(m);
  let iteration = 0;

  for (;;) {
    // Yield so an abort (or anything else waiting on the event loop) is seen between iterations.
    await yieldToEventLoop();
    throwIfAborted(options.signal);
    pseudoGradient(x, g, l1, pg);
    if (maxAbs(pg) <= options.gtol) return { x, f, iterations: iteration, evaluations, converged: true };
    if (iteration >= options.maxIter) return { x, f, iterations: iteration, evaluations, converged: false };
    iteration++;

    // Two-loop recursion: direction = −H pg.
    for (let i = 0; i < n; i++) direction[i] = -pg[i]!;
    for (let k = S.length - 1; k >= 0; k--) {
      const a = rho[k]! * dot(S[k]!, direction);
      alphaBuf[k] = a;
      axpy(-a, Y[k]!, direction);
    }
    if (S.length > 0) {
      const last = S.length - 1;
      const gamma = dot(S[last]!, Y[last]!) / dot(Y[last]!, Y[last]!);
      for (let i = 0; i < n; i++) direction[i] *= gamma;
    }
    for (let k = 0; k < S.length; k++) {
      const b = rho[k]! * dot(Y[k]!, direction);
      axpy(alphaBuf[k]! - b, S[k]!, direction);
    }
    if (l1 !== undefined) {
      // Keep the direction in the orthant the pseudo-gradient points to.
      for (let i = 0; i < n; i++) if (direction[i]! * pg[i]! >= 0) direction[i] = 0;
    }
    let slope = dot(direction, pg);
    if (!(slope < 0)) {
      // Not a descent direction (stale curvature): restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let i = 0; i < n; i++) direction[i] = -pg[i]!;
      slope = dot(direction, pg);
    }
    const initialStep = S.length === 0 ? Math.min(1, 1 / Math.max(1e-12, Math.sqrt(dot(pg, pg)))) : 1;
    const step = l1 === undefined
      ? await wolfeSearch(objective, x, fSmooth, g, direction, slope, initialStep)
      : await orthantSearch(objective, x, f, pg, direction, l1, initialStep);
    evaluations += step.evaluations;
    if (step.x === undefined) return { x, f, iterations: iteration, evaluations, converged: false };

    const fNew = step.fSmooth + l1Norm(step.x, l1);
    const s = new Float64Array(n);
    const yv = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = step.x[i]! - x[i]!;
      yv[i] = step.g[i]! - g[i]!;
    }
    const sy = dot(s, yv);
    if (sy > 1e-16 * Math.sqrt(dot(s, s) * dot(yv, yv))) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(yv);
      rho.push(1 / sy);
    }
    const decrease = f - fNew;
    x = step.x;
    g = step.g;
    fSmooth = step.fSmooth;
    f = fNew;
    options.onIteration?.(iteration, f);
    if (decrease <= options.ftol * Math.max(Math.abs(f), Math.abs(f + decrease), 1)) {
      pseudoGradient(x, g, l1, pg);
      return { x, f, iterations: iteration, evaluations, converged: true };
    }
  }
}

interface StepResult {
  x: Float64Array | undefined;
  fSmooth: number;
  g: Float64Array;
  evaluations: number;
}

/** Strong Wolfe conditions (c1 = 1e-4, c2 = 0.9) by bracketing and zoom with cubic interpolation. */
async function wolfeSearch(objective: Objective, x: Float64Array, f0: number, g0: Float64Array, dir: Float64Array, slope0: number, initial: number): Promise<StepResult> {
  const c1 = 1e-4;
  const c2 = 0.9;
  const n = x.length;
  let evaluations = 0;
  type Point = { t: number; f: number; g: Float64Array; slope: number; x: Float64Array };
  const evalAt = async (t: number): Promise<Point> => {
    const xt = new Float64Array(n);
    for (let i = 0; i < n; i++) xt[i] = x[i]! + t * dir[i]!;
    const gt = new Float64Array(n);
    const ft = await objective(xt, gt);
    evaluations++;
    return { t, f: ft, g: gt, slope: dot(gt, dir), x: xt };
  };
  let prev: Point = { t: 0, f: f0, g: g0, slope: slope0, x };
  let t = initial;
  for (let i = 0; i < 40; i++) {
    const cur = await evalAt(t);
    if (!Number.isFinite(cur.f) || cur.f > f0 + c1 * t * slope0 || (i > 0 && cur.f >= prev.f)) {
      return zoom(prev, cur);
    }
    if (Math.abs(cur.slope) <= -c2 * slope0) return { x: cur.x, fSmooth: cur.f, g: cur.g, evaluations };
    if (cur.slope >= 0) return zoom(cur, prev);
    prev = cur;
    t *= 2;
  }
  return { x: prev.t > 0 ? prev.x : undefined, fSmooth: prev.f, g: prev.g, evaluations };

  async function zoom(lo: Point, hi: Point): Promise<StepResult> {
    for (let i = 0; i < 30; i++) {
      let t = cubicMinimizer(lo.t, lo.f, lo.slope, hi.t, hi.f, hi.slope);
      const left = Math.min(lo.t, hi.t);
      const right = Math.max(lo.t, hi.t);
      const margin = 0.1 * (right - left);
      if (!Number.isFinite(t) || t < left + margin || t > right - margin) t = (lo.t + hi.t) / 2;
      const cur = await evalAt(t);
      if (!Number.isFinite(cur.f) || cur.f > f0 + c1 * t * slope0 || cur.f >= lo.f) {
        hi = cur;
      } else {
        if (Math.abs(cur.slope) <= -c2 * slope0) return { x: cur.x, fSmooth: cur.f, g: cur.g, evaluations };
        if (cur.slope * (hi.t - lo.t) >= 0) hi = lo;
        lo = cur;
      }
      if (Math.abs(hi.t - lo.t) < 1e-16 * Math.max(1, lo.t)) break;
    }
    return { x: lo.t > 0 ? lo.x : undefined, fSmooth: lo.f, g: lo.g, evaluations };
  }
}

function cubicMinimizer(a: number, fa: number, ga: number, b: number, fb: number, gb: number): number {
  const d1 = ga + gb - 3 * ((fa - fb) / (a - b));
  const disc = d1 * d1 - ga * gb;
  if (disc < 0) return NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  return b - (b - a) * ((gb + d2 - d1) / (gb - ga + 2 * d2));
}

/** OWL-QN's backtracking search: project each trial point onto the orthant of the start (or of −pg). */
async function orthantSearch(objective: Objective, x: Float64Array, f0: number, pg: Float64Array, dir: Float64Array, l1: Float64Array, initial: number): Promise<StepResult> {
  const n = x.length;
  let t = initial;
  let evaluations = 0;
  for (let i = 0; i < 60; i++) {
    const xt = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const v = x[j]! + t * dir[j]!;
      const orthant = x[j] !== 0 ? Math.sign(x[j]!) : -Math.sign(pg[j]!);
      xt[j] = l1[j]! > 0 && Math.sign(v) !== orthant ? 0 : v;
    }
    const gt = new Float64Array(n);
    const fs = await objective(xt, gt);
    evaluations++;
    const ft = fs + l1Norm(xt, l1);
    let decrease = 0;
    for (let j = 0; j < n; j++) decrease += pg[j]! * (xt[j]! - x[j]!);
    if (Number.isFinite(ft) && ft <= f0 + 1e-4 * decrease) return { x: xt, fSmooth: fs, g: gt, evaluations };
    t *= 0.5;
  }
  return { x: undefined, fSmooth: NaN, g: new Float64Array(n), evaluations };
}

/** The minimum-norm subgradient of f + Σ l1ᵢ|xᵢ|; the plain gradient without l1. */
function pseudoGradient(x: Float64Array, g: Float64Array, l1: Float64Array | undefined, out: Float64Array): void {
  if (l1 === undefined) {
    out.set(g);
    return;
  }
  for (let i = 0; i < x.length; i++) {
    const lambda = l1[i]!;
    if (x[i]! > 0) out[i] = g[i]! + lambda;
    else if (x[i]! < 0) out[i] = g[i]! - lambda;
    else if (g[i]! + lambda < 0) out[i] = g[i]! + lambda;
    else if (g[i]! - lambda > 0) out[i] = g[i]! - lambda;
    else out[i] = 0;
  }
}

function l1Norm(x: Float64Array, l1: Float64Array | undefined): number {
  if (l1 === undefined) return 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += l1[i]! * Math.abs(x[i]!);
  return s;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += a * x[i]!;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}
