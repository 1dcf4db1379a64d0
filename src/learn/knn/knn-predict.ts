import { z } from 'zod';
import type { Matrix, Model, Predictor } from '../contract.js';
import { checkPredictInput } from '../validate.js';
import * as state from '../state.js';

// Predict time for k-nearest neighbours, apart from knn.ts's fitting: no node: module here.
export const KNN_FORMAT_VERSION = 1;

/** The most training rows a kNN model keeps: every prediction reads all of them (exact search). */
export const KNN_MAX_ROWS = 100_000;

/**
 * The state of a kNN model: the training rows themselves, standardised.
 *  - mean, scale: per feature, from the training rows (scale 1 for a constant feature); a row x is
 *    compared as (x − mean) / scale.
 *  - X: the standardised training rows, row-major (rows × nFeatures).
 *  - y: each training row's class code (classification) or value (regression).
 *  - neighbors: how many nearest rows vote or are averaged.
 *  - weighting: 'uniform' (each neighbour counts once) or 'distance' (by 1 / distance).
 */
const stateSchema = z.object({
  mean: state.f64,
  scale: state.f64,
  X: state.f64,
  y: state.f64,
  neighbors: z.number().int().min(1),
  weighting: z.enum(['uniform', 'distance']),
});

export const knnPredictor = {
  kind: 'knn',
  formatVersion: KNN_FORMAT_VERSION,
  tasks: ['binary', 'multiclass', 'regression'],

  checkState(model: Model): void {
    const s = state.parseState(model, stateSchema);
    const d = model.nFeatures;
    state.checkLength('mean', s.mean, d, ' (one per feature)');
    state.checkLength('scale', s.scale, d, ' (one per feature)');
    state.checkFinite('mean', s.mean);
    state.checkFinite('scale', s.scale);
    for (let j = 0; j < d; j++) if (!(s.scale[j]! > 0)) throw state.stateError(`scale[${j}]`, `is ${s.scale[j]}; expected a positive number`);
    const n = s.y.length;
    if (n === 0) throw state.stateError('y', 'is empty; a kNN model holds at least one training row');
    if (n > KNN_MAX_ROWS) throw state.stateError('y', `has ${n.toLocaleString('en-US')} rows; a kNN model holds at most ${KNN_MAX_ROWS.toLocaleString('en-US')}`);
    state.checkLength('X', s.X, n * d, ` (${n.toLocaleString('en-US')} rows × ${d} features)`);
    state.checkFinite('X', s.X);
    if (model.task === 'regression') state.checkFinite('y', s.y);
    else state.checkRange('y', s.y, 0, model.nClasses, 'a class code');
    if (s.neighbors > n) throw state.stateError('neighbors', `is ${s.neighbors}; the model holds only ${n} training rows`);
  },

  predict(model: Model, X: Matrix): Float64Array {
    checkPredictInput(model, X);
    const s = model.state as unknown as z.infer<typeof stateSchema>;
    return knnScores(s, model.task === 'regression' ? 0 : model.nClasses, X);
  },
} satisfies Predictor;

/**
 * Exact k-nearest-neighbour scores by brute force: for each row of X, the squared Euclidean distance
 * (standardised features, summed feature by feature in order) to every training row, keeping the k smallest
 * in a sorted buffer (no full sort); equal distances keep the lower training row. A sum stops early once it
 * reaches the k-th best so far (a sum of squares only grows, so this drops only rows that would not be kept,
 * and a kept row's sum is the full one): the result is exactly the full scan's, several times faster, as
 * most rows are out after a few features. Classification (classes > 0): n × classes probabilities from the
 * neighbours' votes; regression (classes 0): n values, the neighbours' (weighted) mean. With 'distance'
 * weighting a row at distance 0 from training rows takes their votes alone, as scikit-learn does. A row
 * with a missing or infinite value scores NaN. Allocates per call, never per row.
 */
export function knnScores(s: { mean: Float64Array; scale: Float64Array; X: Float64Array; y: Float64Array; neighbors: number; weighting: 'uniform' | 'distance' }, classes: number, X: Matrix): Float64Array {
  const { mean, scale, y, neighbors: k } = s;
  const train = s.X;
  const d = X.d;
  const n = y.length;
  const width = classes > 0 ? classes : 1;
  const out = new Float64Array(X.n * width);
  const byDistance = s.weighting === 'distance';
  const q = new Float64Array(d);
  const bestD = new Float64Array(k);
  const bestI = new Int32Array(k);
  const votes = new Float64Array(width);
  const data = X.data;
  const blocked = d - (d % 4);

  for (let i = 0; i < X.n; i++) {
    let complete = true;
    for (let j = 0; j < d; j++) {
      const v = (data[i * d + j]! - mean[j]!) / scale[j]!;
      if (v - v !== 0) complete = false;
      q[j] = v;
    }
    if (!complete) {
      out.fill(NaN, i * width, (i + 1) * width);
      continue;
    }

    let filled = 0;
    let worst = Infinity;
    for (let r = 0; r < n; r++) {
      const base = r * d;
      let sum = 0;
      let j = 0;
      // Four terms, then a look at the bound.
      for (; j < blocked; j += 4) {
        const a = q[j]! - train[base + j]!;
        const b = q[j + 1]! - train[base + j + 1]!;
        const c = q[j + 2]! - train[base + j + 2]!;
        const e = q[j + 3]! - train[base + j + 3]!;
        sum += a * a;
        sum += b * b;
        sum += c * c;
        sum += e * e;
        if (sum >= worst) break;
      }
      if (filled === k) {
        if (sum >= worst) continue;
        for (; j < d; j++) {
          const a = q[j]! - train[base + j]!;
          sum += a * a;
        }
        if (!(sum < worst)) continue;
        // Full: the last (farthest, and of equal distances the latest) drops out. Rows come in order, so a
        // later row of equal distance never displaces an earlier one.
        insertNearest(bestD, bestI, k - 1, sum, r);
        worst = bestD[k - 1]!;
      } else {
        // Filling: every row goes in (the bound is Infinity, so the sum ran to its end unless it overflowed).
        for (; j < d && sum < Infinity; j++) {
          const a = q[j]! - train[base + j]!;
          sum += a * a;
        }
        insertNearest(bestD, bestI, filled, sum, r);
        filled++;
        if (filled === k) worst = bestD[k - 1]!;
      }
    }

    // Weights: 1 each; by distance, 1 / distance, or the rows at distance 0 alone when there are any (sorted: the first).
    const exact = byDistance && bestD[0] === 0;
    if (classes > 0) {
      votes.fill(0);
      for (let t = 0; t < k; t++) votes[y[bestI[t]!]!] += !byDistance ? 1 : exact ? (bestD[t] === 0 ? 1 : 0) : 1 / Math.sqrt(bestD[t]!);
      let total = 0;
      for (let c = 0; c < classes; c++) total += votes[c]!;
      for (let c = 0; c < classes; c++) out[i * classes + c] = votes[c]! / total;
    } else if (!byDistance) {
      let sum = 0;
      for (let t = 0; t < k; t++) sum += y[bestI[t]!]!;
      out[i] = sum / k;
    } else {
      let num = 0;
      let den = 0;
      for (let t = 0; t < k; t++) {
        const w = exact ? (bestD[t] === 0 ? 1 : 0) : 1 / Math.sqrt(bestD[t]!);
        num += y[bestI[t]!]! * w;
        den += w;
      }
      out[i] = num / den;
    }
  }
  return out;
}

/** Puts (sum, row) into the ascending list at or before `at`, shifting farther ones back; of equal distances the earlier row stays first. */
function insertNearest(bestD: Float64Array, bestI: Int32Array, at: number, sum: number, row: number): void {
  let p = at;
  while (p > 0 && bestD[p - 1]! > sum) {
    bestD[p] = bestD[p - 1]!;
    bestI[p] = bestI[p - 1]!;
    p--;
  }
  bestD[p] = sum;
  bestI[p] = row;
}
