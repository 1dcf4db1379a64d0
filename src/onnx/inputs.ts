import type { SchemaType } from '../data/schema/schema.js';
import type { Recipe } from '../features/recipe.js';
import type { GraphBuilder } from './graph.js';
import { refuseStep, type StepInputs } from './recipe-steps.js';

/**
 * How a column of each schema type is fed: numbers as doubles (NaN when missing), labels as strings, as
 * skl2onnx does; dates as doubles of milliseconds since 1970-01-01 UTC (NaN when missing), what Date.getTime() gives.
 */
export function inputType(type: SchemaType): 'double' | 'string' | undefined {
  if (type === 'numeric' || type === 'datetime') return 'double';
  if (type === 'categorical' || type === 'binary') return 'string';
  return undefined;
}

/**
 * The graph's inputs: one [N, 1] input per column the pipeline reads, named as the column, in the
 * pipeline's order. A column of a type with no ONNX form (text) gets none: the step reading it is refused.
 */
export class GraphInputs {
  private readonly values = new Map<string, { name: string; type: 'double' | 'string' }>();

  constructor(g: GraphBuilder, columns: readonly { name: string; type: SchemaType }[]) {
    for (const c of columns) {
      const type = inputType(c.type);
      if (type !== undefined) this.values.set(c.name, { name: g.input(c.name, type), type });
    }
  }

  /** A recipe's view of them: its input k is recipe.inputs[k]. */
  forRecipe(recipe: Recipe): StepInputs {
    const get = (k: number, step: string, want: 'double' | 'string'): string => {
      const column = recipe.inputs[k]!;
      const value = this.values.get(column.name);
      if (value === undefined || value.type !== want) {
        const reads = want === 'double' ? 'as a number' : 'as a category label';
        return refuseStep(step, `it reads the ${column.type} column '${column.name}' ${reads}`);
      }
      return value.name;
    };
    return { number: (k, step) => get(k, step, 'double'), label: (k, step) => get(k, step, 'string') };
  }
}
