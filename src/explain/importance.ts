import { FittedRecipe } from '../features/recipe.js';
import { type PipelineSpec } from '../pipeline/pipeline.js';

export interface ColumnImportance {
  column: string;
  /** Share of the pipeline's importance (all columns sum to 1). */
  importance: number;
}

/**
 * Global importance per input column: for trees, the loss reduction of the splits on the column's
 * features (split gain); for linear models, the absolute coefficients of its standardized features
 * (summed over classes). Features made from a column (one-hot levels, date parts, indicators) add to it;
 * a cross splits its share between its columns. Each member's importances are normalized, then weighted
 * like its predictions. Rules and baselines have none.
 */
export function featureImportance(spec: PipelineSpec): ColumnImportance[] {
  const total = new Map<string, number>();
  const weightSum = spec.members.reduce((s, m) => s + m.weight, 0);
  for (const m of spec.members) {
    const recipe = new FittedRecipe(m.recipe);
    const d = recipe.width;
    const raw = new Float64Array(d);
    const gain = m.model.state['splitGain'];
    const coef = m.model.state['coef'];
    if (gain instanceof Float64Array && gain.length === d) raw.set(gain);
    else if (coef instanceof Float64Array && coef.length % d === 0) for (let j = 0; j < coef.length; j++) raw[j % d] += Math.abs(coef[j]!);
    else continue;
    const sum = raw.reduce((a, b) => a + b, 0);
    if (!(sum > 0)) continue;
    const inputs = recipe.featureInputs();
    const names = recipe.inputNames;
    for (let j = 0; j < d; j++) {
      const share = (raw[j]! / sum) * (m.weight / weightSum) / inputs[j]!.length;
      for (const k of inputs[j]!) total.set(names[k]!, (total.get(names[k]!) ?? 0) + share);
    }
  }
  const all = [...total.values()].reduce((a, b) => a + b, 0);
  return [...total]
    .map(([column, v]) => ({ column, importance: all > 0 ? v / all : 0 }))
    .sort((a, b) => b.importance - a.importance);
}
