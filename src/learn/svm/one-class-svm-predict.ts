import { z } from 'zod';
import type { Matrix, Model, Predictor } from '../contract.js';
import { checkPredictInput } from '../validate.js';
import * as state from '../state.js';

// Predict time for the one-class SVM, apart from one-class-svm.ts's fitting: no node: module here.
export const ONE_CLASS_SVM_FORMAT_VERSION = 1;

/** exp(−γ‖a − b‖²) between a standardised support vector (sv[at …]) and a raw row (x[xAt …]) standardised on the fly. */
export function rbf(sv: Float64Array, at: number, x: ArrayLike<number>, xAt: number, mean: Float64Array, scale: Float64Array, d: number, gamma: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const e = sv[at + j]! - (x[xAt + j]! - mean[j]!) * scale[j]!;
    s += e * e;
  }
  return Math.exp(-gamma * s);
}

export const oneClassSvmPredictor = {
  kind: 'one_class_svm',
  formatVersion: ONE_CLASS_SVM_FORMAT_VERSION,
  tasks: ['anomaly'],

  checkState(model: Model): void {
    const s = state.parseState(model, z.object({ vectors: state.f64, alpha: state.f64, mean: state.f64, scale: state.f64, rho: state.finite, gamma: state.finite }));
    const d = model.nFeatures;
    const m = s.alpha.length;
    if (m < 1) throw state.stateError('alpha', 'is empty; expected one weight per support vector');
    state.checkLength('vectors', s.vectors, m * d, ` (${m} support vectors × ${d} features)`);
    state.checkLength('mean', s.mean, d, ' (one per feature)');
    state.checkLength('scale', s.scale, d, ' (one per feature)');
    for (const [field, a] of [['vectors', s.vectors], ['alpha', s.alpha], ['mean', s.mean], ['scale', s.scale]] as const) state.checkFinite(field, a);
    if (!(s.rho > 0)) throw state.stateError('rho', `is ${s.rho}; expected the decision's offset, above 0`);
    if (!(s.gamma > 0)) throw state.stateError('gamma', `is ${s.gamma}; expected the kernel width, above 0`);
  },

  /**
   * Anomaly scores: 1 − f(x)/ρ, where f(x) = Σ αᵢ k(svᵢ, x) is the kernel mass of the support vectors at x and
   * ρ its value on the learned boundary (OneClassSVM's decision_function is f(x) − ρ, in α's scale): 0 on the
   * boundary, above 0 outside it, up to 1 far from every training row. Higher is more anomalous.
   */
  predict(model: Model, X: Matrix): Float64Array {
    checkPredictInput(model, X);
    const s = model.state;
    const vectors = s['vectors'] as Float64Array;
    const alpha = s['alpha'] as Float64Array;
    const mean = s['mean'] as Float64Array;
    const scale = s['scale'] as Float64Array;
    const rho = s['rho'] as number;
    const gamma = s['gamma'] as number;
    const { n, d, data } = X;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let f = 0;
      for (let v = 0; v < alpha.length; v++) f += alpha[v]! * rbf(vectors, v * d, data, i * d, mean, scale, d, gamma);
      out[i] = 1 - f / rho;
    }
    return out;
  },
} satisfies Predictor;
