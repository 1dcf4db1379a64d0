import { describe, expect, it } from 'vitest';
import type { ColumnSchema } from '../../src/data/schema/schema.js';
import type { Table } from '../../src/data/table.js';
import { featureImportance } from '../../src/explain/importance.js';
import { fitRecipe, FittedRecipe } from '../../src/features/recipe.js';
import { fit } from '../../src/learn/registry.js';
import type { PipelineSpec } from '../../src/pipeline/pipeline.js';
import { Random } from '../../src/synth/random.js';

// y depends on 'signal' (a number) and 'color' (a category); 'noise' carries nothing.
const n = 2000;
const rng = new Random(5);
const signal = Float64Array.from({ length: n }, () => rng.normal());
const noise = Float64Array.from({ length: n }, () => rng.normal());
const color = Int32Array.from({ length: n }, () => rng.int(4));
const y = Float64Array.from({ length: n }, (_, i) => (signal[i]! + (color[i] === 2 ? 1.5 : 0) + 0.3 * rng.normal() > 0.5 ? 1 : 0));
const table: Table = {
  nRows: n,
  columns: [
    { kind: 'numeric', name: 'signal', values: signal },
    { kind: 'numeric', name: 'noise', values: noise },
    { kind: 'categorical', name: 'color', codes: color, dictionary: ['red', 'green', 'blue', 'grey'] },
  ],
};
const schema: ColumnSchema[] = [
  { name: 'signal', type: 'numeric', reason: '' },
  { name: 'noise', type: 'numeric', reason: '' },
  { name: 'color', type: 'categorical', reason: '' },
];

async function pipeline(learner: string, family: 'linear' | 'tree', params: Record<string, unknown>): Promise<PipelineSpec> {
  const recipe = fitRecipe(table, schema, { family });
  const X = new FittedRecipe(recipe).transformTable(table);
  const model = await fit(learner, X, y, 'binary', params);
  return { target: { name: 'y', task: 'binary', labels: ['0', '1'] }, schema, members: [{ recipe, model, weight: 1 }] };
}

describe('feature importance by input column', () => {
  for (const [learner, family, params] of [
    ['gbdt', 'tree', { n_estimators: 30 }],
    ['logistic', 'linear', {}],
  ] as const) {
    it(`${learner}: the informative columns lead, noise trails, shares sum to 1 (one-hot levels add up to their column)`, async () => {
      const importance = featureImportance(await pipeline(learner, family, params));
      expect(importance.map((c) => c.column).slice(0, 2).sort()).toEqual(['color', 'signal']);
      expect(importance.at(-1)!.column).toBe('noise');
      expect(importance.at(-1)!.importance).toBeLessThan(0.1);
      expect(importance.reduce((s, c) => s + c.importance, 0)).toBeCloseTo(1, 12);
    });
  }
});
