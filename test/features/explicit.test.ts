import { describe, expect, it } from 'vitest';
import { loadData } from '../../src/data/load.js';
import type { Table } from '../../src/data/table.js';
import type { ColumnSchema } from '../../src/data/schema/schema.js';
import { fitRecipe, FittedRecipe } from '../../src/features/recipe.js';
import { hashTokens } from '../../src/features/text.js';
import { fixture } from '../helpers.js';

const schema: ColumnSchema[] = [
  { name: 'income', type: 'numeric', reason: '' },
  { name: 'country', type: 'categorical', reason: '' },
  { name: 'plan', type: 'categorical', reason: '' },
  { name: 'title', type: 'text', reason: '' },
  { name: 'y', type: 'binary', reason: '' },
];
const n = 40;
const table: Table = {
  nRows: n,
  columns: [
    { kind: 'numeric', name: 'income', values: Float64Array.from({ length: n }, (_, i) => (i === 3 ? NaN : i * 100 - 500)) },
    { kind: 'categorical', name: 'country', codes: Int32Array.from({ length: n }, (_, i) => i % 3), dictionary: ['FR', 'fr', 'D.E.'] },
    { kind: 'categorical', name: 'plan', codes: Int32Array.from({ length: n }, (_, i) => i % 2), dictionary: ['free', 'pro'] },
    { kind: 'text', name: 'title', values: Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : `Great product, number ${i % 4}!`)) },
    { kind: 'categorical', name: 'y', codes: Int32Array.from({ length: n }, (_, i) => i % 2), dictionary: ['no', 'yes'] },
  ],
};
const fitted = (family: 'linear' | 'tree', outputs: string[], groups: Record<string, string[]> = {}) => new FittedRecipe(fitRecipe(table, schema, { family, exclude: ['y'], outputs, groups }));

describe('explicit recipes', () => {
  it('quantile_bin: n quantile bins, codes for trees and one-hot for linear models', () => {
    const tree = fitted('tree', ['quantile_bin(income, 4)']);
    expect(tree.recipe.features).toEqual(['quantile_bin(income, 4)']);
    // Cuts at the training quartiles: 500, 1500, 2500.
    expect(tree.recipe.steps[0]).toMatchObject({ kind: 'quantile-bin', cuts: [500, 1500, 2500] });
    expect([-1000, 500, 1000, 2000, 3000, 9000].map((v) => tree.transformRow({ income: v })[0])).toEqual([0, 0, 1, 2, 3, 3]);
    expect(tree.transformRow({})[0]).toBeNaN();
    const linear = fitted('linear', ['quantile_bin(income, 4)']);
    expect(linear.recipe.features).toEqual([0, 1, 2, 3].map((k) => `quantile_bin(income, 4)=${k}`));
    expect(Array.from(linear.transformRow({ income: 900 }))).toEqual([0, 1, 0, 0]);
  });

  it('cartesian crosses categories; lowercase and no_punct merge spellings', () => {
    const cross = fitted('linear', ['cartesian(country, plan)']);
    expect(cross.recipe.features.slice(0, 2)).toEqual(['cartesian(country, plan)=FR|free', 'cartesian(country, plan)=fr|pro']);
    const row = cross.transformRow({ country: 'FR', plan: 'free' });
    expect(row[cross.recipe.features.indexOf('cartesian(country, plan)=FR|free')]).toBe(1);
    expect(cross.transformRow({ country: 'FR', plan: 'gold' }).at(-1)).toBe(1);
    const merged = fitted('tree', ['lowercase(no_punct(country))']);
    expect(merged.recipe.steps[0]).toMatchObject({ kind: 'category', levels: ['fr', 'de'] });
    expect(merged.transformRow({ country: 'Fr' })[0]).toBe(0);
    expect(merged.transformRow({ country: 'd.e' })[0]).toBe(1);
  });

  it('ngram and osb hash word n-grams and sparse bigrams', () => {
    const buckets: number[] = [];
    hashTokens('a b c', 1 << 20, (b) => buckets.push(b), 3, 3);
    // a, "a b", "a b c", a_b, a__c; b, "b c", b_c; c
    expect(buckets).toHaveLength(9);
    const ngram = fitted('linear', ['ngram(lowercase(title), 3)', 'osb(title, 3)']);
    expect(ngram.recipe.steps.map((s) => (s.kind === 'hashing' ? [s.ngram ?? 2, s.osb ?? 0] : []))).toEqual([
      [3, 0],
      [1, 3],
    ]);
    const x = ngram.transformRow({ title: 'Great product' });
    expect(x.some((v) => v !== 0)).toBe(true);
  });

  it('log and clip; groups and the special groups', () => {
    const r = fitted('tree', ['clip(log(income), 0, 7)', 'money'], { money: ['income'] });
    expect(r.recipe.features).toEqual(['clip(log(income), 0, 7)', 'income']);
    expect(r.transformRow({ income: Math.E ** 3 })[0]).toBeCloseTo(3, 12);
    expect(r.transformRow({ income: 1e9 })[0]).toBe(7);
    expect(r.transformRow({ income: -5 })[0]).toBeNaN();
    expect(fitted('tree', ['ALL_CATEGORICAL']).recipe.features).toEqual(['country', 'plan']);
    expect(fitted('tree', ['ALL_NUMERIC', 'ALL_TEXT']).recipe.inputs.map((i) => i.name)).toEqual(['income', 'title']);
  });

  it('a batch equals its rows one at a time, with every transform', () => {
    const r = fitted('linear', ['quantile_bin(income, 3)', 'cartesian(country, plan)', 'ngram(title, 2)', 'osb(title, 2)', 'clip(income, 0, 1000)', 'lowercase(country)']);
    const X = r.transformTable(table);
    for (let i = 0; i < n; i++) {
      const row = { income: table.columns[0]!.kind === 'numeric' ? table.columns[0].values[i] : 0, country: ['FR', 'fr', 'D.E.'][i % 3], plan: ['free', 'pro'][i % 2], title: i % 5 === 0 ? null : `Great product, number ${i % 4}!` };
      expect(Array.from(r.transformRow(row))).toEqual(Array.from(X.data.subarray(i * X.d, (i + 1) * X.d)));
    }
  });

  it('errors name the output and what is wrong', () => {
    expect(() => fitted('tree', ['quantile_bin(incme, 4)'])).toThrow(/field 'recipe\.outputs\.0': "quantile_bin\(incme, 4\)": unknown column or group 'incme'; columns are: income, country, plan, title/);
    expect(() => fitted('tree', ['income', 'quantile_bin(plan, 4)'])).toThrow(/field 'recipe\.outputs\.1': "quantile_bin\(plan, 4\)": quantile_bin needs a numeric column; 'plan' is categorical/);
    expect(() => fitted('tree', ['quantile_bin(income, 1)'])).toThrow(/the number of bins must be a whole number, at least 2/);
    expect(() => fitted('tree', ['bucket(income)'])).toThrow(/unknown transform 'bucket'; transforms are: quantile_bin, cartesian/);
    expect(() => fitted('tree', ['cartesian(country, plan'])).toThrow(/expected '\)' at character 24/);
    expect(() => fitted('tree', ['rich'], { rich: ['income', 'wealth'] })).toThrow(/group 'rich' names 'wealth', which is not a feature column/);
  });

  it('on real data through the CLI config path: penguins with crosses and bins', async () => {
    const data = await loadData(fixture('penguins.json'));
    const r = new FittedRecipe(fitRecipe(data.table, data.schema, { family: 'tree', exclude: ['Species'], outputs: ['cartesian(Island, Sex)', 'quantile_bin(`Body Mass (g)`, 5)', 'ALL_NUMERIC'] }));
    expect(r.recipe.features.slice(0, 2)).toEqual(['cartesian(Island, Sex)', 'quantile_bin(Body Mass (g), 5)']);
    expect(r.recipe.categorical).toEqual([0]);
    expect(r.transformTable(data.table).d).toBe(6);
  });
});
