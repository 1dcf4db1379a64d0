import { describe, expect, it } from 'vitest';
import type { ColumnSchema } from '../../src/data/schema/schema.js';
import type { Table } from '../../src/data/table.js';
import { ablatePipeline, inputColumns, recipeWithout } from '../../src/pipeline/ablate.js';
import type { Data } from '../../src/pipeline/train.js';
import { ablate, parseGroups, t975, tInterval } from '../../src/search/index.js';
import { Random } from '../../src/synth/random.js';

// 'signal' decides y (up to a little label noise); 'noise1', 'noise2' and 'color' carry nothing.
function data(n: number, seed: number): Data {
  const rng = new Random(seed);
  const signal = Float64Array.from({ length: n }, () => rng.normal());
  const noise1 = Float64Array.from({ length: n }, () => rng.normal());
  const noise2 = Float64Array.from({ length: n }, () => rng.normal());
  const color = Int32Array.from({ length: n }, () => rng.int(3));
  const y = Int32Array.from({ length: n }, (_, i) => (signal[i]! + 0.3 * rng.normal() > 0 ? 1 : 0));
  const table: Table = {
    nRows: n,
    columns: [
      { kind: 'numeric', name: 'signal', values: signal },
      { kind: 'numeric', name: 'noise1', values: noise1 },
      { kind: 'numeric', name: 'noise2', values: noise2 },
      { kind: 'categorical', name: 'color', codes: color, dictionary: ['red', 'green', 'blue'] },
      { kind: 'categorical', name: 'y', codes: y, dictionary: ['no', 'yes'] },
    ],
  };
  const schema: ColumnSchema[] = [
    { name: 'signal', type: 'numeric', reason: '' },
    { name: 'noise1', type: 'numeric', reason: '' },
    { name: 'noise2', type: 'numeric', reason: '' },
    { name: 'color', type: 'categorical', reason: '' },
    { name: 'y', type: 'binary', reason: '' },
  ];
  return { table, schema, source: 'synthetic', fingerprint: 'test' };
}

const table = data(400, 7);
const logistic = [{ learner: 'logistic', params: {} }];

describe('ablation: the pipeline retrained without each column', () => {
  it('the column that carries all the signal costs the most, its band excludes 0; the noise columns cost next to nothing', async () => {
    const progress: string[] = [];
    const result = await ablatePipeline(table, { target: 'y', candidates: logistic, folds: 5, seed: 3, onGroup: (g, done, total) => progress.push(`${done}/${total} ${g.columns.join(',')}`) });
    expect(result.metric).toBe('auc');
    expect(result.rows).toBe(400);
    expect(result.full.perFold).toHaveLength(5);
    expect(result.full.score).toBeGreaterThan(0.9);
    expect(progress).toEqual(['1/4 signal', '2/4 noise1', '3/4 noise2', '4/4 color']);
    const [first, ...rest] = result.groups;
    expect(first!.columns).toEqual(['signal']);
    expect(first!.cost).toBeGreaterThan(0.3);
    expect(first!.low).toBeGreaterThan(0);
    expect(first!.significant).toBe(true);
    // Without signal the model guesses: AUC near 0.5.
    expect(Math.abs(first!.score - 0.5)).toBeLessThan(0.1);
    for (const g of rest) {
      expect(Math.abs(g.cost)).toBeLessThan(0.02);
      expect(g.low).toBeLessThanOrEqual(g.high);
    }
    // Ranked by cost.
    const costs = result.groups.map((g) => g.cost);
    expect(costs).toEqual([...costs].sort((a, b) => b - a));
  });

  it('groups drop their columns together, and the same seed gives the same figures', async () => {
    const groups = [['noise1', 'noise2'], ['signal', 'color']];
    const once = await ablatePipeline(table, { target: 'y', candidates: [{ learner: 'gbdt', params: { n_estimators: 20 } }], folds: 3, seed: 1, groups });
    const again = await ablatePipeline(table, { target: 'y', candidates: [{ learner: 'gbdt', params: { n_estimators: 20 } }], folds: 3, seed: 1, groups });
    expect(again).toEqual(once);
    expect(once.groups.map((g) => g.columns)).toEqual([['signal', 'color'], ['noise1', 'noise2']]);
    expect(once.groups[0]!.significant).toBe(true);
  });

  it('an ensemble of members is refitted as it is (weights kept); regression costs are signed the same way (r2: worse is lower)', async () => {
    const ensemble = await ablatePipeline(table, { target: 'y', candidates: [{ learner: 'logistic', params: {}, weight: 2 }, { learner: 'gbdt', params: { n_estimators: 10, categorical_features: [9] } }], folds: 3, seed: 0, groups: [['signal']] });
    expect(ensemble.groups[0]!.cost).toBeGreaterThan(0.3);
    const reg = data(300, 2);
    const signal = reg.table.columns[0]!;
    const target = { kind: 'numeric' as const, name: 'amount', values: Float64Array.from((signal as { values: Float64Array }).values, (v) => 3 * v) };
    const regression: Data = { ...reg, table: { nRows: 300, columns: [...reg.table.columns.slice(0, 3), target] }, schema: [...reg.schema.slice(0, 3), { name: 'amount', type: 'numeric', reason: '' }] };
    const r = await ablatePipeline(regression, { target: 'amount', candidates: [{ learner: 'linear', params: {} }], folds: 4, seed: 0 });
    expect(r.metric).toBe('r2');
    expect(r.groups[0]!.columns).toEqual(['signal']);
    expect(r.groups[0]!.cost).toBeGreaterThan(0.9);
  });

  it('an explicit recipe loses what names the dropped column; its default groups are the columns it reads', async () => {
    const recipe = { outputs: ['numbers', 'cartesian(color, noise1)'], groups: { numbers: ['signal', 'noise2'] } };
    expect(inputColumns(table.schema, 'y', recipe)).toEqual(['signal', 'noise1', 'noise2', 'color']);
    expect(inputColumns(table.schema, 'y', { outputs: ['ALL_NUMERIC'] })).toEqual(['signal', 'noise1', 'noise2']);
    const notes: string[] = [];
    expect(recipeWithout(recipe, table.schema, 'y', ['signal'], notes)).toEqual({ outputs: ['numbers', 'cartesian(color, noise1)'], groups: { numbers: ['noise2'] } });
    expect(recipeWithout(recipe, table.schema, 'y', ['color'], notes)).toEqual({ outputs: ['numbers'], groups: { numbers: ['signal', 'noise2'] } });
    expect(notes).toEqual(["without color: the recipe's output 'cartesian(color, noise1)' is left out"]);
    expect(() => recipeWithout({ outputs: ['signal'] }, table.schema, 'y', ['signal'], [])).toThrow(/the recipe reads nothing but signal/);
    const result = await ablatePipeline(table, { target: 'y', candidates: logistic, folds: 3, seed: 0, recipe });
    expect(result.groups[0]!.columns).toEqual(['signal']);
    expect(result.notes).toEqual(["without noise1: the recipe's output 'cartesian(color, noise1)' is left out", "without color: the recipe's output 'cartesian(color, noise1)' is left out"]);
  });

  it('groups name input columns only, and never all of them', async () => {
    await expect(ablatePipeline(table, { target: 'y', candidates: logistic, folds: 3, seed: 0, groups: [['signl']] })).rejects.toThrow("--groups: 'signl' is not an input column of the run; input columns are: signal, noise1, noise2, color");
    await expect(ablatePipeline(table, { target: 'y', candidates: logistic, folds: 3, seed: 0, groups: [['y']] })).rejects.toThrow("--groups: 'y' is the target");
    await expect(ablatePipeline(table, { target: 'y', candidates: logistic, folds: 3, seed: 0, groups: [['signal', 'noise1', 'noise2', 'color']] })).rejects.toThrow(/holds every input column/);
  });
});

describe('the ablation statistics', () => {
  it('parses --groups, refusing empty groups and names', () => {
    expect(parseGroups('a, b;c')).toEqual([['a', 'b'], ['c']]);
    expect(parseGroups('a,a')).toEqual([['a']]);
    expect(() => parseGroups('a;;b')).toThrow("--groups 'a;;b': group 2 is empty; expected groups of columns like 'a,b;c'");
    expect(() => parseGroups('a,,b')).toThrow(/group 1 \('a,,b'\) has an empty column name/);
    expect(() => parseGroups('')).toThrow(/group 1 is empty/);
  });

  it('the band is the t interval of the paired differences', () => {
    expect(t975(4)).toBe(2.776);
    expect(t975(100)).toBeCloseTo(1.984, 2);
    const { mean, low, high } = tInterval([1, 2, 3, 4, 5]);
    expect(mean).toBe(3);
    expect(high - mean).toBeCloseTo(2.776 * Math.sqrt(2.5 / 5), 12);
    expect(low).toBeCloseTo(2 * mean - high, 12);
    expect(Number.isNaN(tInterval([1]).low)).toBe(true);
  });

  it('a lower-is-better metric counts a rise as a cost', async () => {
    const y = Float64Array.from({ length: 20 }, (_, i) => i);
    // Dropping 'a' adds a constant error to every prediction; 'b' changes nothing.
    const objective = { scores: async (dropped: readonly string[]) => Float64Array.from(y, (v, i) => v + (dropped.includes('a') ? 2 + (i % 3) * 0.1 : 0)) };
    const result = await ablate(objective, { task: 'regression', labels: [], metric: 'rmse', y, folds: 4, seed: 0, groups: [['b'], ['a']] });
    expect(result.groups.map((g) => g.columns[0])).toEqual(['a', 'b']);
    expect(result.groups[0]!.cost).toBeGreaterThan(1.9);
    expect(result.groups[0]!.significant).toBe(true);
    expect(result.groups[1]!.cost).toBe(0);
    expect(result.groups[1]!.significant).toBe(false);
  });
});
