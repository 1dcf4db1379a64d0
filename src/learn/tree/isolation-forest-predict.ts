import { z } from 'zod';
import type { Matrix, Model, Predictor } from '../contract.js';
import { checkPredictInput } from '../validate.js';
import { addForestScores, type ForestLayout } from './forest-layout.js';
import { parseState } from '../state.js';
import { checkForestLayout } from './check-state.js';

// Predict time for isolation forests, apart from isolation-forest.ts's fitting: no node: module here.
export const ISOLATION_FOREST_FORMAT_VERSION = 1;

export const isolationForestPredictor = {
  kind: 'isolation_forest',
  formatVersion: ISOLATION_FOREST_FORMAT_VERSION,
  tasks: ['anomaly'],

  checkState(model: Model): void {
    parseState(model, z.object({ normalizer: z.number().refine((c) => Number.isFinite(c) && c >= 0, 'expected a finite number, 0 or more') }));
    checkForestLayout(model);
  },

  predict(model: Model, X: Matrix): Float64Array {
    checkPredictInput(model, X);
    const s = model.state;
    const forest: ForestLayout = {
      roots: s['roots'] as Int32Array,
      feature: s['feature'] as Int32Array,
      threshold: s['threshold'] as Float64Array,
      missingRight: s['missingRight'] as Uint8Array,
      children: s['children'] as Int32Array,
      leafValue: s['leafValue'] as Float64Array,
      outputs: 1,
    };
    const paths = new Float64Array(X.n);
    addForestScores(forest, X.data, X.n, X.d, paths);
    const T = forest.roots.length;
    const c = s['normalizer'] as number;
    return paths.map((h) => 2 ** -(h / T / c));
  },
} satisfies Predictor;
