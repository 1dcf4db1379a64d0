import { HyperplaneError } from '../errors.js';
import type { Step } from '../features/recipe.js';
import { ML_DOMAIN, type GraphBuilder } from './graph.js';
import { datetimeFeatures } from './datetime.js';
import { encodeLabels, levelSpellings, missingSpellings } from './labels.js';

/** The recipe steps the export turns into ONNX ops (with the linear family's imputation and scaling after them). */
export const EXPORTABLE_STEPS = ['number (with log and clip)', 'binary', 'category (codes or one-hot)', 'quantile-bin', 'datetime (UTC year, month, weekday, hour and days since 1970)', 'normalize-rows (an imported Normalizer)'] as const;

/** The graph values of a recipe's input columns: doubles for numbers, strings for labels. */
export interface StepInputs {
  /** The input as a double [N, 1]; refuses an input that is not a numeric column. */
  number(k: number, step: string): string;
  /** The input as a string [N, 1]; refuses an input that is not a categorical or binary column. */
  label(k: number, step: string): string;
}

/** Refuses a step, naming it, why, and what can be exported. */
export function refuseStep(what: string, why: string): never {
  throw new HyperplaneError(`${what} cannot be exported to ONNX (${why}); the steps that can are: ${EXPORTABLE_STEPS.join(', ')}, and imputation and scaling`);
}

const scalar = (g: GraphBuilder, v: number): string => g.doubles([v], [], 'k');

/** One step's raw features, a double [N, width] (width as stepWidth), exactly as recipe.ts's encodeStep writes them. */
export function stepFeatures(g: GraphBuilder, step: Step, inputs: StepInputs, name: string): string {
  switch (step.kind) {
    case 'number':
      return numberStep(g, step, inputs.number(step.input, name), name);
    case 'binary': {
      const s = inputs.label(step.input, name);
      // sameLevel's order: missing first, then the positive level, then the negative one; anything else is missing.
      const entries = [...missingSpellings().map((m) => [m, NaN] as const), ...levelSpellings(step.positive).map((l) => [l, 1] as const), ...levelSpellings(step.negative).map((l) => [l, 0] as const)];
      return encodeLabels(g, s, entries, NaN, `${name}_binary`);
    }
    case 'category':
      return categoryStep(g, step, inputs, name);
    case 'quantile-bin':
      return quantileBinStep(g, step, inputs.number(step.input, name), name);
    case 'datetime':
      // A date column is fed as epoch milliseconds, a double (inputs.ts).
      return datetimeFeatures(g, inputs.number(step.input, name), name);
    case 'hashing':
      return refuseStep(name, 'hashed words of a text column');
    case 'text-score':
      return refuseStep(name, "a linear model's score of a text column");
    case 'condition':
      return refuseStep(name, `a written condition, ${step.if}`);
    case 'normalize-rows':
      return normalizeRowsStep(g, step, inputs, name);
  }
}

/**
 * ai.onnx.ml's Normalizer on the inputs side by side, which recipe.ts's step computes as ONNX Runtime does;
 * a float tensor in front where the step rounds its inputs to float32. It outputs float: cast back to double.
 */
function normalizeRowsStep(g: GraphBuilder, step: Extract<Step, { kind: 'normalize-rows' }>, inputs: StepInputs, name: string): string {
  const columns = step.inputs.map((k) => inputs.number(k, name));
  let x = columns.length === 1 ? columns[0]! : g.op('Concat', columns, { axis: { int: 1 } });
  if (step.float32 === true) x = g.cast(x, 'float');
  return g.cast(g.op('Normalizer', [x], { norm: { string: step.norm } }, { domain: ML_DOMAIN }), 'double', `${name}_normalized`);
}

/** The number; ln(x) where x > 0, else missing; clipped with missing left missing (comparisons with NaN are false). */
function numberStep(g: GraphBuilder, step: Extract<Step, { kind: 'number' }>, x: string, name: string): string {
  let v = x;
  if (step.log === true) v = g.op('Where', [g.op('Greater', [x, scalar(g, 0)]), g.op('Log', [x]), scalar(g, NaN)], {}, { name: `${name}_log` });
  if (step.clip !== undefined) {
    const [lo, hi] = step.clip;
    const high = g.op('Where', [g.op('Greater', [v, scalar(g, hi)]), scalar(g, hi), v]);
    v = g.op('Where', [g.op('Less', [v, scalar(g, lo)]), scalar(g, lo), high], {}, { name: `${name}_clip` });
  }
  return v;
}

/** Level index (missing stays missing, unseen labels get levels.length), or one 0/1 column per level plus "other". */
function categoryStep(g: GraphBuilder, step: Extract<Step, { kind: 'category' }>, inputs: StepInputs, name: string): string {
  if (step.inputs.length !== 1) return refuseStep(name, 'a cross of categories');
  if (step.normalize !== undefined) return refuseStep(name, 'labels normalized before matching');
  const s = inputs.label(step.inputs[0]!, name);
  // A label that is a missing marker is missing before it is a level (JsonInputs.label).
  const entries = [...missingSpellings().map((m) => [m, NaN] as const), ...step.levels.map((l, i) => [l, i] as const)];
  const code = encodeLabels(g, s, entries, step.levels.length, `${name}_code`);
  return step.oneHot ? oneHot(g, code, step.levels.length + 1, name) : code;
}

/** A 0/1 column per index 0 … width − 1; a missing (NaN) index equals none of them, so its row is all 0. */
function oneHot(g: GraphBuilder, index: string, width: number, name: string): string {
  const range = g.doubles(Array.from({ length: width }, (_, j) => j), [1, width], 'range');
  return g.cast(g.op('Equal', [index, range]), 'double', `${name}_onehot`);
}

/** The count of cuts below x (cuts ascend: the bin recipe.ts's loop finds), missing when x is. */
function quantileBinStep(g: GraphBuilder, step: Extract<Step, { kind: 'quantile-bin' }>, x: string, name: string): string {
  const missing = g.op('IsNaN', [x]);
  let bin: string;
  if (step.cuts.length === 0) bin = g.op('Where', [missing, scalar(g, NaN), scalar(g, 0)]);
  else {
    const above = g.cast(g.op('Greater', [x, g.doubles(step.cuts, [1, step.cuts.length], 'cuts')]), 'double');
    const count = g.op('ReduceSum', [above, g.int64s([1])], { keepdims: { int: 1 } });
    bin = g.op('Where', [missing, scalar(g, NaN), count], {}, { name: `${name}_bin` });
  }
  return step.oneHot ? oneHot(g, bin, step.cuts.length + 1, name) : bin;
}
