import { stepInputs, stepWidth, type Recipe } from '../features/recipe.js';
import type { GraphBuilder } from './graph.js';
import { stepFeatures, type StepInputs } from './recipe-steps.js';

/**
 * A fitted recipe's feature matrix, a double [N, features.length], as FittedRecipe.encode makes it:
 * each step's raw features side by side, then (linear family) the finish. `where` names the member in refusals.
 */
export function recipeFeatures(g: GraphBuilder, recipe: Recipe, inputs: StepInputs, prefix: string, where: string): string {
  const parts = recipe.steps.map((step, s) => stepFeatures(g, step, inputs, `${where}recipe step ${s} (${step.kind} of ${stepColumns(recipe, s)})`));
  const rawWidth = recipe.steps.reduce((w, step) => w + stepWidth(step), 0);
  const raw = parts.length === 1 ? parts[0]! : g.op('Concat', parts, { axis: { int: 1 } }, { name: `${safe(prefix)}_raw` });
  if (recipe.finish === undefined) return raw;
  return finish(g, recipe.finish, raw, rawWidth, prefix);
}

const safe = (s: string): string => s.replace(/[^A-Za-z0-9]+/g, '_');

function stepColumns(recipe: Recipe, s: number): string {
  return stepInputs(recipe.steps[s]!).map((k) => `'${recipe.inputs[k]!.name}'`).join(', ');
}

/**
 * The linear family's finish: each finished raw feature imputed with its median and standardized, followed
 * by its "was missing" indicator where it has one; then the pass-through features in raw order.
 */
function finish(g: GraphBuilder, finish: NonNullable<Recipe['finish']>, raw: string, rawWidth: number, prefix: string): string {
  const cols = finish.columns;
  const name = safe(prefix);
  const pieces: string[] = [];
  // Where each output feature sits in the concatenation of [standardized | indicators | pass-through].
  const order: number[] = [];
  const finished = new Set(cols.map((c) => c.raw));
  const pass = Array.from({ length: rawWidth }, (_, j) => j).filter((j) => !finished.has(j));
  const indicators = cols.flatMap((c, j) => (c.indicator ? [j] : []));
  if (cols.length > 0) {
    const F = cols.length;
    const values = g.op('Gather', [raw, g.int64s(cols.map((c) => c.raw))], { axis: { int: 1 } });
    const missing = g.op('IsNaN', [values]);
    const filled = g.op('Where', [missing, g.doubles(cols.map((c) => c.median), [1, F], 'median'), values]);
    const scale = g.doubles(cols.map((c) => c.scale), [1, F], 'scale');
    const z = g.op('Div', [g.op('Sub', [filled, g.doubles(cols.map((c) => c.mean), [1, F], 'mean')]), scale]);
    // recipe.ts's fallback where the difference overflows (values near ±1.8e308): x / scale − mean / scale.
    const apart = g.op('Sub', [g.op('Div', [filled, scale]), g.doubles(cols.map((c) => c.mean / c.scale), [1, F], 'mean_over_scale')]);
    pieces.push(g.op('Where', [g.op('IsInf', [z]), apart, z], {}, { name: `${name}_standardized` }));
    if (indicators.length > 0) pieces.push(g.cast(g.op('Gather', [missing, g.int64s(indicators)], { axis: { int: 1 } }), 'double', `${name}_missing`));
    let indicatorAt = F;
    cols.forEach((c, j) => {
      order.push(j);
      if (c.indicator) order.push(indicatorAt++);
    });
  }
  if (pass.length > 0) {
    const at = cols.length + indicators.length;
    pieces.push(g.op('Gather', [raw, g.int64s(pass)], { axis: { int: 1 } }, { name: `${name}_pass` }));
    pass.forEach((_, p) => order.push(at + p));
  }
  const all = pieces.length === 1 ? pieces[0]! : g.op('Concat', pieces, { axis: { int: 1 } });
  return g.op('Gather', [all, g.int64s(order)], { axis: { int: 1 } }, { name: `${name}_features` });
}
