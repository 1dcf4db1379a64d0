import type { Contributions, Matrix, Model } from '../contract.js';
import { LearnError } from '../errors.js';

/**
 * Exact contributions of a linear margin: feature j adds coef_j · (x_j − mean_j), where mean_j is the
 * feature's (weighted) training mean, and the base is the margin at the means. What shap's
 * LinearExplainer gives with the training data as background, with no sampling.
 *
 * `coef` holds one weight vector per output (outputs × d), `intercept` one value per output.
 */
export function linearContributions(X: Matrix, coef: Float64Array, intercept: Float64Array | readonly number[], mean: Float64Array, link: Contributions['link']): Contributions {
  const { n, d, data } = X;
  const outputs = intercept.length;
  const base = new Float64Array(outputs);
  for (let o = 0; o < outputs; o++) {
    let b = intercept[o]!;
    for (let j = 0; j < d; j++) b += coef[o * d + j]! * mean[j]!;
    base[o] = b;
  }
  const values = new Float64Array(n * outputs * d);
  const margin = new Float64Array(n * outputs);
  for (let i = 0; i < n; i++) {
    for (let o = 0; o < outputs; o++) {
      const at = (i * outputs + o) * d;
      let m = intercept[o]!;
      for (let j = 0; j < d; j++) {
        const x = data[i * d + j]!;
        values[at + j] = coef[o * d + j]! * (x - mean[j]!);
        m += coef[o * d + j]! * x;
      }
      margin[i * outputs + o] = m;
    }
  }
  return { outputs, base, values, margin, link };
}

/** Each column's (weighted) mean, kept with a linear model so its predictions can be explained. */
export function columnMeans(X: Matrix, weights: Float64Array | undefined): Float64Array {
  const { n, d, data } = X;
  const sums = new Float64Array(d);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights === undefined ? 1 : weights[i]!;
    total += w;
    for (let j = 0; j < d; j++) sums[j] += w * data[i * d + j]!;
  }
  for (let j = 0; j < d; j++) sums[j] = total > 0 ? sums[j]! / total : 0;
  return sums;
}

/** The stored means, or why the model cannot be explained. */
export function storedMeans(model: Model): Float64Array {
  const mean = model.state['xMean'];
  if (!(mean instanceof Float64Array)) throw new LearnError(`this ${model.kind} model was saved before explanations existed (it keeps no training means): train it again to explain its predictions`);
  return mean;
}
