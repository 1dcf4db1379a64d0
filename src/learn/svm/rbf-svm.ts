import { z } from 'zod';
import { Random } from '../../synth/random.js';
import type { FitOptions, Learner, Matrix, Model, Task } from '../contract.js';
import { rowWeights } from '../class-weights.js';
import { checkFinite, checkFit } from '../validate.js';
import { featureRow, linearScore, pairCount, RBF_SVM_FORMAT_VERSION, rbfSvmPredictor } from './rbf-svm-predict.js';
import { Clock, featureCache, featureMap } from './random-features.js';

export const rbfSvmParams = z
  .object({
    C: z.number().positive().default(1).describe("inverse regularisation strength, as scikit-learn's SVC: ½‖w‖² + C × Σ loss").meta({ search: { low: 0.01, high: 100, scale: 'log' } }),
    gamma: z
      .union([z.literal('scale'), z.literal('auto'), z.number().positive()])
      .default('scale')
      .describe("RBF kernel width, exp(−gamma ‖x − x'‖²) on the standardised features: 'scale' = 1 / (features × variance of all values), as SVC; 'auto' = 1 / features; or a number"),
    n_components: z.number().int().min(1).max(100_000).default(2000).describe('random Fourier features approximating the kernel: more agree more closely with an exact kernel SVM and cost more (fit and predict are linear in it)'),
    loss: z.enum(['hinge', 'squared_hinge']).default('hinge').describe("the linear SVM's loss on the random features: hinge (SVC's) or squared hinge"),
    class_weight: z
      .union([z.literal('none'), z.literal('balanced'), z.array(z.number().min(0))])
      .default('none')
      .describe("per-class weights (C times the weight): 'balanced' weighs each class by n / (k × its count), or a list by class code"),
    tol: z.number().positive().default(1e-4).describe('stop when the largest violation of the optimality conditions (on the margin scale) is below tol'),
    max_iter: z.number().int().min(1).default(1000).describe("most passes over the rows of each one-vs-one classifier, counted in row updates (a pass over the solver's shrunk set of rows counts its share)"),
  })
  .strict();
export type RbfSvmParams = z.infer<typeof rbfSvmParams>;

const NAME = 'rbf_svm';
const FORMAT_VERSION = RBF_SVM_FORMAT_VERSION;

/**
 * An RBF-kernel SVM by random Fourier features (Rahimi & Recht, 2007): the inputs are standardised (weighted
 * mean and population standard deviation, as StandardScaler), mapped to D = n_components features
 * z(x) = √(2/D) cos(Wx + b) with W ~ N(0, 2γ) and b ~ U(0, 2π), whose inner products approximate the kernel
 * exp(−γ‖x − x'‖²); a linear SVM (hinge loss, as SVC, or squared hinge) is fitted on them by dual
 * coordinate descent with shrinking (LIBLINEAR's, Hsieh et al. 2008), its bias an extra feature of 1
 * (penalised, as LIBLINEAR's; SVC's bias is not). Classes are separated one-vs-one, as SVC. Probabilities:
 * each classifier's decision f through a sigmoid through the origin, σ(A f), A fitted (Platt's method with
 * his smoothed targets) on the training margins, not by internal cross-validation as SVC's probability=True:
 * so a binary model's probability is above ½ exactly where its decision is positive, as SVC's predict;
 * multiclass probabilities couple the pairs' (Wu, Lin & Weng 2004, as libsvm), whose argmax is nearly
 * always the one-vs-one vote. FitOptions.seed (0 by default) draws W and b and the solver's row order: the same
 * seed gives the same model. Cost: n·D·d for the feature map, then about 2·D per row per pass of each pair.
 */
export const rbfSvmLearner: Learner<RbfSvmParams> = {
  name: NAME,
  description: 'RBF-kernel SVM by random Fourier features: a linear SVM (hinge loss, one-vs-one) on a random feature map that approximates the kernel',
  params: rbfSvmParams,
  formatVersion: FORMAT_VERSION,
  capabilities: { tasks: rbfSvmPredictor.tasks, sampleWeights: true, missingValues: 'reject', explanations: 'none', singleClass: 'error', interpretability: 'opaque' },
  // A fit maps every row to D = n_components features, then each one-vs-one pair passes over its two classes'
  // rows (every row takes part in k − 1 pairs): about rows × D × (features + 200 × (k − 1)) × 1 ns at C = 1. Offered
  // at 2,000 random features, else 500, while five such fits take at most a quarter of auto's budget; C = 10 too where its fits do.
  auto: {
    rank: 5,
    candidates: (_task, rows, size) => {
      if (size === undefined || rows > 30_000) return [];
      const pairs = Math.max(1, size.classes - 1);
      // Fewer random features cost accuracy even on small sets (hastie, 1,500 rows: 0.9962 at 2,000, 0.9945 at 1,500).
      const cost = (d: number): number => 5 * rows * d * (size.features + 200 * pairs) * 1e-9;
      const D = [2000, 500].find((d) => cost(d) <= size.budgetSeconds / 4);
      if (D === undefined) return [];
      // C = 10 takes about three times the solver's passes of C = 1 (seattle-weather, 1,096 rows, 5 classes: 29 s against 9.5 s).
      // At most 300 passes: the quality bench's sets converge in 30–73 (C = 1) and 84–255 (C = 10); 80 customers' one-hot
      // ids with 10% of labels flipped ran all 1,000 without converging, 10 s of a 20 s budget on 512 rows.
      const capped = { n_components: D, max_iter: 300 };
      return 3 * cost(D) <= size.budgetSeconds / 4 ? [{ C: 1, ...capped }, { C: 10, ...capped }] : [{ C: 1, ...capped }];
    },
  },

  async fit(X: Matrix, y: Float64Array, task: Task, params: RbfSvmParams, options: FitOptions = {}): Promise<Model> {
    const started = performance.now();
    const { k, weights } = checkFit(NAME, this.capabilities, X, y, task, options);
    checkFinite(X, this.capabilities, NAME);
    const { n, d } = X;
    const s = rowWeights(y, k, weights, params.class_weight, NAME) ?? new Float64Array(n).fill(1);
    const D = params.n_components;
    const rng = new Random(options.seed ?? 0);
    const { W, b, gamma } = featureMap(X, s, params.gamma, D, rng);

    const clock = new Clock(options.signal);
    const Z = await featureCache(X, W, b, clock);
    const present = new Uint8Array(k);
    for (let i = 0; i < n; i++) if (s[i]! > 0) present[y[i]!] = 1;
    const P = pairCount(k);
    const coef = new Float64Array(P * D);
    const intercept = new Float64Array(P);
    const plattA = new Float64Array(P);
    let iterations = 0;
    let converged = true;
    let objective = 0;
    for (let a = 0, p = 0; a < k; a++) {
      for (let c = a + 1; c < k; c++, p++) {
        if (present[a] === 0 || present[c] === 0) continue;
        const rows: number[] = [];
        for (let i = 0; i < n; i++) if ((y[i] === a || y[i] === c) && s[i]! > 0) rows.push(i);
        const sign = Float64Array.from(rows, (i) => (y[i] === a ? 1 : -1));
        const result = await solvePair(Z, X, W, b, Int32Array.from(rows), sign, Float64Array.from(rows, (i) => s[i]!), params, rng, clock);
        coef.set(result.w, p * D);
        intercept[p] = result.bias;
        plattA[p] = plattSlope(result.margins, sign, Float64Array.from(rows, (i) => s[i]!));
        iterations += result.epochs;
        converged &&= result.converged;
        objective += result.objective;
      }
    }
    const warnings: string[] = [];
    if (!converged) warnings.push(`the SVM solver did not converge in ${params.max_iter} passes; raise max_iter or tol, or lower C`);
    let total = 0;
    for (let i = 0; i < n; i++) total += s[i]!;
    return {
      kind: NAME,
      formatVersion: FORMAT_VERSION,
      task,
      nFeatures: d,
      nClasses: k,
      params: { ...params },
      state: { W, b, coef, intercept, plattA, present, gamma, C: params.C },
      training: { iterations, converged, durationMs: performance.now() - started, finalLoss: objective / total, warnings },
    };
  },

  checkState: rbfSvmPredictor.checkState,
  predict: rbfSvmPredictor.predict,
};


interface PairResult {
  w: Float64Array;
  bias: number;
  /** Full passes' worth of row updates. */
  epochs: number;
  converged: boolean;
  /** ½‖w‖² + ½bias² + C Σ sᵢ loss(yᵢ fᵢ). */
  objective: number;
  /** Each row's decision value fᵢ at the solution. */
  margins: Float64Array;
}

/**
 * A binary linear SVM on the random features by dual coordinate descent with shrinking (LIBLINEAR's
 * solve_l2r_l1l2_svc): each row's dual variable αᵢ in [0, Uᵢ] moves to minimise the dual, w = Σ αᵢ yᵢ zᵢ.
 * Hinge: Uᵢ = C sᵢ; squared hinge: Uᵢ = ∞ and a diagonal 1 / (2 C sᵢ). A weight scales C for its row, so
 * a weight of 2 and a duplicated row reach the same w (the primal optimum is unique).
 */
async function solvePair(Z: Float32Array, X: Matrix, W: Float64Array, b: Float64Array, rows: Int32Array, sign: Float64Array, s: Float64Array, params: RbfSvmParams, rng: Random, clock: Clock): Promise<PairResult> {
  const D = b.length;
  const l = rows.length;
  const cached = Z.length / D;
  const hinge = params.loss === 'hinge';
  const upper = new Float64Array(l);
  const diag = new Float64Array(l);
  const QD = new Float64Array(l);
  const alpha = new Float64Array(l);
  const w = new Float64Array(D);
  let bias = 0;
  const buffer = new Float32Array(D);
  const rowOf = (t: number): [Float32Array, number] => {
    const i = rows[t]!;
    if (i < cached) return [Z, i * D];
    featureRow(X.data, i * X.d, X.d, W, b, buffer, 0);
    return [buffer, 0];
  };
  for (let t = 0; t < l; t++) {
    const C = params.C * s[t]!;
    upper[t] = hinge ? C : Infinity;
    diag[t] = hinge ? 0 : 1 / (2 * C);
    const [z, at] = rowOf(t);
    let q = 1; // the bias feature
    for (let r = 0; r < D; r++) q += z[at + r]! * z[at + r]!;
    QD[t] = q + diag[t]!;
    if ((t & 255) === 255) await clock.tick();
  }
  const index = Int32Array.from({ length: l }, (_, t) => t);
  let active = l;
  let pgMaxOld = Infinity;
  let pgMinOld = -Infinity;
  // The budget is in row updates, max_iter full passes' worth: a pass over a shrunk active set (often a few
  // dozen free support vectors, converging slowly when the random features are nearly collinear) costs its share.
  const budget = params.max_iter * l;
  let visits = 0;
  let converged = false;
  while (visits < budget) {
    visits += active;
    let pgMax = -Infinity;
    let pgMin = Infinity;
    for (let t = 0; t < active; t++) {
      const j = t + rng.int(active - t);
      const swap = index[t]!;
      index[t] = index[j]!;
      index[j] = swap;
    }
    for (let t = 0; t < active; t++) {
      const i = index[t]!;
      const [z, at] = rowOf(i);
      const yi = sign[i]!;
      const G = yi * linearScore(z, at, w, 0, bias, D) - 1 + alpha[i]! * diag[i]!;
      let pg = 0;
      if (alpha[i] === 0) {
        if (G > pgMaxOld) {
          active--;
          index[t] = index[active]!;
          index[active] = i;
          t--;
          continue;
        } else if (G < 0) pg = G;
      } else if (alpha[i] === upper[i]) {
        if (G < pgMinOld) {
          active--;
          index[t] = index[active]!;
          index[active] = i;
          t--;
          continue;
        } else if (G > 0) pg = G;
      } else pg = G;
      if (pg > pgMax) pgMax = pg;
      if (pg < pgMin) pgMin = pg;
      if (Math.abs(pg) > 1e-12) {
        const old = alpha[i]!;
        const next = Math.min(Math.max(old - G / QD[i]!, 0), upper[i]!);
        alpha[i] = next;
        const step = (next - old) * yi;
        let r = 0;
        for (; r + 4 <= D; r += 4) {
          w[r] += step * z[at + r]!;
          w[r + 1] += step * z[at + r + 1]!;
          w[r + 2] += step * z[at + r + 2]!;
          w[r + 3] += step * z[at + r + 3]!;
        }
        for (; r < D; r++) w[r] += step * z[at + r]!;
        bias += step;
      }
      if ((t & 255) === 255) await clock.tick();
    }
    if (pgMax - pgMin <= params.tol || active === 0) {
      if (active === l) {
        converged = true;
        break;
      }
      // Converged on the active rows: check every row once more before stopping.
      active = l;
      pgMaxOld = Infinity;
      pgMinOld = -Infinity;
      continue;
    }
    pgMaxOld = pgMax <= 0 ? Infinity : pgMax;
    pgMinOld = pgMin >= 0 ? -Infinity : pgMin;
  }
  const margins = new Float64Array(l);
  let objective = 0.5 * bias * bias;
  for (let r = 0; r < D; r++) objective += 0.5 * w[r]! * w[r]!;
  for (let t = 0; t < l; t++) {
    const [z, at] = rowOf(t);
    margins[t] = linearScore(z, at, w, 0, bias, D);
    const slack = Math.max(0, 1 - sign[t]! * margins[t]!);
    objective += params.C * s[t]! * (hinge ? slack : slack * slack);
    if ((t & 255) === 255) await clock.tick();
  }
  return { w, bias, epochs: Math.ceil(visits / Math.max(l, 1)), converged, objective, margins };
}

/**
 * Platt's sigmoid through the origin, P(first class | f) = σ(A f): A by Newton's method on the weighted
 * log loss against Platt's smoothed targets (N₊ + 1) / (N₊ + 2) and 1 / (N₋ + 2), N the classes' weights.
 * No intercept, so the probability is above ½ exactly where the decision is positive.
 */
export function plattSlope(f: Float64Array, sign: Float64Array, s: Float64Array): number {
  let pos = 0;
  let neg = 0;
  for (let t = 0; t < f.length; t++) (sign[t]! > 0 ? (pos += s[t]!) : (neg += s[t]!));
  const hi = (pos + 1) / (pos + 2);
  const lo = 1 / (neg + 2);
  const loss = (A: number): number => {
    let v = 0;
    for (let t = 0; t < f.length; t++) {
      const target = sign[t]! > 0 ? hi : lo;
      const m = A * f[t]!;
      // −target log σ(m) − (1 − target) log(1 − σ(m)) = log(1 + e^m) − target m
      v += s[t]! * ((m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m))) - target * m);
    }
    return v;
  };
  let A = 1;
  let current = loss(A);
  for (let iter = 0; iter < 100; iter++) {
    let g = 0;
    let h = 0;
    for (let t = 0; t < f.length; t++) {
      const target = sign[t]! > 0 ? hi : lo;
      const p = 1 / (1 + Math.exp(-A * f[t]!));
      g += s[t]! * (p - target) * f[t]!;
      h += s[t]! * p * (1 - p) * f[t]! * f[t]!;
    }
    if (!(h > 1e-300) || Math.abs(g) <= 1e-12 * Math.max(1, h)) break;
    let step = g / h;
    let next = A - step;
    let value = loss(next);
    while (value > current && Math.abs(step) > 1e-15 * Math.max(1, Math.abs(A))) {
      step /= 2;
      next = A - step;
      value = loss(next);
    }
    if (value > current) break;
    A = next;
    if (Math.abs(step) <= 1e-12 * Math.max(1, Math.abs(A))) break;
    current = value;
  }
  return A;
}
