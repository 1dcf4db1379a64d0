import type { ColumnSchema } from '../data/schema/schema.js';
import type { InfiniteValues } from '../data/schema/schema-file.js';
import { HyperplaneError } from '../errors.js';
import { type Member, type TargetSpec } from './pipeline.js';
import { infiniteTarget } from './target.js';

/** Past this, squared errors overflow a double (1e150² = 1e300, summed over rows): metrics would read Infinity. */
const MAX_REGRESSION_TARGET = 1e150;

/**
 * An infinite target is no label to learn from: exit 2 naming the row. A feature's are read as
 * missing, with a warning. A regression target so large that its squared errors overflow: exit 2.
 */
export function checkExtremes(infinite: readonly InfiniteValues[], source: string, y: Float64Array, spec: TargetSpec, warnings: string[]): void {
  for (const inf of infinite) {
    const n = inf.count.toLocaleString('en-US');
    if (inf.column === spec.name) throw infiniteTarget(inf, source);
    warnings.push(`'${inf.column}' has ${n} infinite value${inf.count === 1 ? '' : 's'} (first at row ${(inf.firstRow + 1).toLocaleString('en-US')}); read as missing`);
  }
  if (spec.task !== 'regression') return;
  let row = -1;
  for (let i = 0; i < y.length; i++) if (Math.abs(y[i]!) > MAX_REGRESSION_TARGET && (row < 0 || Math.abs(y[i]!) > Math.abs(y[row]!))) row = i;
  if (row >= 0) {
    throw new HyperplaneError(`values as large as ${y[row]} (row ${(row + 1).toLocaleString('en-US')}) are too large: squared errors would overflow a double; rescale the target (e.g. divide it by 1e150)`, { file: source, column: spec.name });
  }
}

/**
 * A line per model whose recipe leaves out a text column (an explicit recipe may name none; default
 * tree recipes read a text score instead): a text column dropped silently made trees look broken
 * beside a linear model.
 */
export function textLeftOut(members: readonly Member[], schema: readonly ColumnSchema[], target: string, explicit: boolean): string[] {
  const lines = new Set<string>();
  for (const m of members) {
    // Written conditions read only the columns they name.
    if (m.recipe.steps.some((s) => s.kind === 'condition')) continue;
    const used = new Set(m.recipe.inputs.map((i) => i.name));
    for (const c of schema) {
      if (c.type !== 'text' || c.name === target || used.has(c.name)) continue;
      lines.add(`${m.model.kind}: text column '${c.name}' left out: ${explicit ? 'the recipe names no output from it' : `the recipe has no text step for it; a linear model reads it, or name it in a recipe, e.g. ngram(${c.name}, 2)`}`);
    }
  }
  return [...lines];
}
