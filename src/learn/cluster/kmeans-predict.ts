import { z } from 'zod';
import type { Matrix, Model, Predictor } from '../contract.js';
import { checkPredictInput } from '../validate.js';
import * as state from '../state.js';

// Predict time for a k-means clustering served as a pipeline's model (train --task cluster): no node: module here.
export const KMEANS_FORMAT_VERSION = 1;

export const kmeansPredictor = {
  kind: 'kmeans',
  formatVersion: KMEANS_FORMAT_VERSION,
  tasks: ['cluster'],

  checkState(model: Model): void {
    const s = state.parseState(model, z.object({ centroids: state.f64 }));
    if (model.nClasses < 1) throw state.stateError('nClasses', `is ${model.nClasses}; expected the number of clusters, 1 or more`);
    state.checkLength('centroids', s.centroids, model.nClasses * model.nFeatures, ` (${model.nClasses} clusters × ${model.nFeatures} features)`);
    state.checkFinite('centroids', s.centroids);
  },

  /** Each row's cluster: the index of the nearest centroid (squared Euclidean distance; the lower index on a tie). */
  predict(model: Model, X: Matrix): Float64Array {
    checkPredictInput(model, X);
    const centroids = model.state['centroids'] as Float64Array;
    const { n, d, data } = X;
    const k = model.nClasses;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestDistance = Infinity;
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) {
          const e = data[i * d + j]! - centroids[c * d + j]!;
          s += e * e;
        }
        if (s < bestDistance) [bestDistance, best] = [s, c];
      }
      out[i] = best;
    }
    return out;
  },
} satisfies Predictor;
