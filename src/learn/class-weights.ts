import { LearnError } from './errors.js';

export type ClassWeightSetting = 'none' | 'balanced' | number[];

/**
 * Per-class weights by class code: 'balanced' weighs each class by n / (k × its count), from unweighted
 * counts of the classes present, as scikit-learn does; a list gives them directly.
 */
export function classWeights(y: Float64Array, k: number, setting: ClassWeightSetting, learner: string): Float64Array | undefined {
  if (setting === 'none') return undefined;
  if (Array.isArray(setting)) {
    if (setting.length < k) throw new LearnError(`${learner}: class_weight lists ${setting.length} weights for ${k} classes`);
    return Float64Array.from(setting);
  }
  const counts = new Float64Array(k);
  for (let i = 0; i < y.length; i++) counts[y[i]!]!++;
  const present = counts.filter((c) => c > 0).length;
  return counts.map((c) => (c > 0 ? y.length / (present * c) : 0));
}

/** Row weights: sample weight × class weight; undefined when both are absent. */
export function rowWeights(y: Float64Array, k: number, weights: Float64Array | undefined, setting: ClassWeightSetting, learner: string): Float64Array | undefined {
  const perClass = classWeights(y, k, setting, learner);
  if (perClass === undefined) return weights;
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = perClass[y[i]!]! * (weights ? weights[i]! : 1);
  return out;
}
