import { z } from 'zod';
import { Random } from '../../synth/random.js';
import type { FitOptions, Learner, Matrix, Model, Task } from '../contract.js';
import { LearnError } from '../errors.js';
import { checkFinite, checkMatrix } from '../validate.js';
import { ONE_CLASS_SVM_FORMAT_VERSION, oneClassSvmPredictor } from './one-class-svm-predict.js';
import { Clock } from './random-features.js';

export const oneClassSvmParams = z
  .object({
    nu: z.number().gt(0).max(1).default(0.05).describe("about this share of the training rows falls outside the learned support, and at least this share are support vectors (scikit-learn's OneClassSVM's nu)"),
    gamma: z
      .union([z.literal('scale'), z.literal('auto'), z.number().positive()])
      .default('scale')
      .describe("RBF kernel width, exp(−gamma ‖x − x'‖²) on the standardised features: 'scale' = 1 / (features × variance of all values), as OneClassSVM; 'auto' = 1 / features; or a number"),
    max_samples: z.number().int().min(2).default(10_000).describe('rows the model is fitted on, drawn at random when there are more: the exact kernel solver costs about rows² × features'),
    tol: z.number().positive().default(1e-3).describe("stop when the largest violation of the optimality conditions is below tol (libsvm's eps)"),
    max_iter: z.number().int().min(1).default(1_000_000).describe('most solver steps (each moves the weight of two rows)'),
  })
  .strict();
export type OneClassSvmParams = z.infer<typeof oneClassSvmParams>;

const NAME = 'one_class_svm';
/** Kernel columns kept between steps, in values (8 bytes each): 128 MiB. */
const CACHE_VALUES = 16 * 1024 * 1024;
/** libsvm's floor on a step's curvature, so two equal rows still take a finite step. */
const TAU = 1e-12;

/**
 * A one-class SVM (Schölkopf et al., 2001) with an exact RBF kernel on standardised inputs (mean and population
 * standard deviation, as StandardScaler): the dual min ½ αᵀKα with 0 ≤ αᵢ ≤ 1 and Σ αᵢ = νn, solved by
 * sequential minimal optimisation with second-order working-set selection (Fan, Chen & Lin, 2005, as libsvm),
 * kernel columns cached. ρ from the free rows' gradients, as libsvm's. The rows with α > 0 are kept as support
 * vectors; the score is 1 − f(x)/ρ with f(x) = Σ αᵢ k(xᵢ, x) (see the predictor): above 0 outside the support,
 * higher is more anomalous, ranking rows as OneClassSVM(kernel='rbf').decision_function does (reversed). Fits
 * on at most max_samples rows, drawn with FitOptions.seed.
 */
export const oneClassSvmLearner: Learner<OneClassSvmParams> = {
  name: NAME,
  description: 'one-class SVM with an RBF kernel, for anomaly detection: higher scores are more anomalous, above 0 outside the learned support',
  params: oneClassSvmParams,
  formatVersion: ONE_CLASS_SVM_FORMAT_VERSION,
  capabilities: { tasks: oneClassSvmPredictor.tasks, sampleWeights: false, missingValues: 'reject', explanations: 'none', interpretability: 'opaque', singleClass: 'constant' },

  async fit(X: Matrix, _y: Float64Array, task: Task, params: OneClassSvmParams, options: FitOptions = {}): Promise<Model> {
    const started = performance.now();
    const clock = new Clock(options.signal);
    if (task !== 'anomaly') throw new LearnError(`${NAME}: task '${task}' is not supported; it only scores anomalies`);
    checkMatrix(X, NAME);
    checkFinite(X, this.capabilities, NAME);
    if (X.n < 2) throw new LearnError(`${NAME}: needs at least 2 rows`);
    const d = X.d;
    const rows = sampleRows(X.n, params.max_samples, new Random(options.seed ?? 0));
    const { mean, scale, gamma } = standardise(X, rows, params.gamma);
    const l = rows.length;
    const Z = new Float64Array(l * d);
    for (let k = 0; k < l; k++) for (let j = 0; j < d; j++) Z[k * d + j] = (X.data[rows[k]! * d + j]! - mean[j]!) * scale[j]!;
    const kernel = new KernelColumns(Z, l, d, gamma);

    // α starts feasible, as libsvm's: the first ⌊νl⌋ rows at the bound, the rest of νl on the next.
    const alpha = new Float64Array(l);
    const total = params.nu * l;
    const full = Math.min(l, Math.floor(total));
    alpha.fill(1, 0, full);
    if (full < l) alpha[full] = total - full;
    // G = Kα, the dual objective's gradient.
    const G = new Float64Array(l);
    for (let i = 0; i < l; i++) {
      if (alpha[i] === 0) continue;
      const Ki = kernel.column(i);
      for (let t = 0; t < l; t++) G[t] += alpha[i]! * Ki[t]!;
    }
    let iterations = 0;
    let converged = false;
    for (; iterations < params.max_iter; iterations++) {
      if ((iterations & 255) === 255) await clock.tick();
      // i: the row whose weight most wants to rise; j: of those that can fall, the one whose pair with i gains most.
      let gmax = -Infinity;
      let i = -1;
      for (let t = 0; t < l; t++) if (alpha[t]! < 1 && -G[t]! >= gmax) [gmax, i] = [-G[t]!, t];
      if (i < 0) break;
      const Ki = kernel.column(i);
      let gmax2 = -Infinity;
      let j = -1;
      let best = Infinity;
      for (let t = 0; t < l; t++) {
        if (alpha[t]! <= 0) continue;
        if (G[t]! >= gmax2) gmax2 = G[t]!;
        const diff = gmax + G[t]!;
        if (diff <= 0) continue;
        const quad = Math.max(2 - 2 * Ki[t]!, TAU);
        const gain = -(diff * diff) / quad;
        if (gain <= best) [best, j] = [gain, t];
      }
      if (gmax + gmax2 < params.tol || j < 0) {
        converged = true;
        break;
      }
      const Kj = kernel.column(j);
      // The pair's step along αᵢ − αⱼ, clipped to the box with αᵢ + αⱼ kept.
      const oldI = alpha[i]!;
      const oldJ = alpha[j]!;
      const quad = Math.max(2 - 2 * Ki[j]!, TAU);
      const delta = (G[i]! - G[j]!) / quad;
      const sum = oldI + oldJ;
      let ai = oldI - delta;
      let aj = oldJ + delta;
      if (sum > 1) {
        if (ai > 1) [ai, aj] = [1, sum - 1];
        if (aj > 1) [aj, ai] = [1, sum - 1];
      } else {
        if (aj < 0) [aj, ai] = [0, sum];
        if (ai < 0) [ai, aj] = [0, sum];
      }
      alpha[i] = ai;
      alpha[j] = aj;
      const di = ai - oldI;
      const dj = aj - oldJ;
      for (let t = 0; t < l; t++) G[t] += Ki[t]! * di + Kj[t]! * dj;
    }
    const rho = offset(alpha, G);
    if (!(rho > 0)) throw new LearnError(`${NAME}: the decision's offset came out ${rho}, not above 0; the rows may all be identical`);
    const support: number[] = [];
    for (let t = 0; t < l; t++) if (alpha[t]! > 0) support.push(t);
    const vectors = new Float64Array(support.length * d);
    support.forEach((t, v) => vectors.set(Z.subarray(t * d, (t + 1) * d), v * d));
    let objective = 0;
    for (let t = 0; t < l; t++) objective += alpha[t]! * G[t]!;
    const warnings = converged ? [] : [`the solver stopped at max_iter (${params.max_iter}) steps before the optimality conditions held within tol`];
    if (rows.length < X.n) warnings.push(`fitted on ${l.toLocaleString('en-US')} of ${X.n.toLocaleString('en-US')} rows, drawn at random (max_samples)`);
    return {
      kind: NAME,
      formatVersion: ONE_CLASS_SVM_FORMAT_VERSION,
      task,
      nFeatures: d,
      nClasses: 1,
      params: { ...params },
      state: { vectors, alpha: Float64Array.from(support, (t) => alpha[t]!), mean, scale, rho, gamma },
      training: { iterations, converged, durationMs: performance.now() - started, finalLoss: objective / 2, warnings },
    };
  },

  checkState: oneClassSvmPredictor.checkState,
  predict: oneClassSvmPredictor.predict,
};

/** Up to `max` row indices, drawn without replacement, in increasing order; every row when there are no more. */
function sampleRows(n: number, max: number, rng: Random): Int32Array {
  const all = Int32Array.from({ length: n }, (_, i) => i);
  if (n <= max) return all;
  for (let k = 0; k < max; k++) {
    const r = k + Math.floor(rng.uniform() * (n - k));
    [all[k], all[r]] = [all[r]!, all[k]!];
  }
  return all.subarray(0, max).sort();
}

/** Each feature's mean and 1 / standard deviation (population) on the rows, and gamma: 'scale' is 1 / (varying features), the variance of every standardised value being 1. */
function standardise(X: Matrix, rows: Int32Array, width: OneClassSvmParams['gamma']): { mean: Float64Array; scale: Float64Array; gamma: number } {
  const d = X.d;
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += X.data[r * d + j]!;
  for (let j = 0; j < d; j++) mean[j] /= rows.length;
  for (const r of rows) {
    for (let j = 0; j < d; j++) {
      const e = X.data[r * d + j]! - mean[j]!;
      scale[j] += e * e;
    }
  }
  let varying = 0;
  for (let j = 0; j < d; j++) {
    const sd = Math.sqrt(scale[j]! / rows.length);
    // A column constant up to rounding is centred and left unscaled, as StandardScaler does.
    if (sd > 1e-12 * Math.max(1, Math.abs(mean[j]!))) {
      scale[j] = 1 / sd;
      varying++;
    } else scale[j] = 1;
  }
  const gamma = width === 'scale' ? (varying > 0 ? 1 / varying : 1) : width === 'auto' ? 1 / d : width;
  return { mean, scale, gamma };
}

/** ρ as libsvm computes it: the mean gradient of the rows strictly inside the box, else the middle of the bounds the others set. */
function offset(alpha: Float64Array, G: Float64Array): number {
  let upper = Infinity;
  let lower = -Infinity;
  let free = 0;
  let sum = 0;
  for (let t = 0; t < alpha.length; t++) {
    if (alpha[t]! >= 1) lower = Math.max(lower, G[t]!);
    else if (alpha[t]! <= 0) upper = Math.min(upper, G[t]!);
    else {
      free++;
      sum += G[t]!;
    }
  }
  return free > 0 ? sum / free : (upper + lower) / 2;
}

/** The kernel's columns K(·, i) over the fitted rows, computed on demand and kept, least recently used dropped first. */
class KernelColumns {
  private readonly kept = new Map<number, Float64Array>();
  private readonly most: number;

  constructor(
    private readonly Z: Float64Array,
    private readonly l: number,
    private readonly d: number,
    private readonly gamma: number,
  ) {
    this.most = Math.max(2, Math.floor(CACHE_VALUES / l));
  }

  column(i: number): Float64Array {
    const hit = this.kept.get(i);
    if (hit !== undefined) {
      this.kept.delete(i);
      this.kept.set(i, hit);
      return hit;
    }
    const { Z, l, d, gamma } = this;
    const out = new Float64Array(l);
    for (let t = 0; t < l; t++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const e = Z[i * d + j]! - Z[t * d + j]!;
        s += e * e;
      }
      out[t] = Math.exp(-gamma * s);
    }
    if (this.kept.size >= this.most) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(i, out);
    return out;
  }
}
