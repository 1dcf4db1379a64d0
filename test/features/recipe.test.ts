import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadData } from '../../src/data/load.js';
import { cellText, type Table } from '../../src/data/table.js';
import { JsonInputs } from '../../src/features/inputs.js';
import { fitRecipe, FittedRecipe, type RecipeFamily } from '../../src/features/recipe.js';
import { fixture } from '../helpers.js';

/** The table's row i as a JSON object of display strings (what a client would send), missing cells left out. */
function jsonRow(table: Table, i: number): Record<string, string> {
  const row: Record<string, string> = {};
  for (const c of table.columns) {
    const v = cellText(c, i);
    if (v !== null) row[c.name] = v;
  }
  return row;
}

function expectSameFeatures(a: ArrayLike<number>, b: ArrayLike<number>, where: string): void {
  for (let j = 0; j < a.length; j++) {
    const same = Object.is(a[j], b[j]) || Math.abs(a[j]! - b[j]!) <= 1e-12 * Math.max(1, Math.abs(a[j]!));
    if (!same) expect.fail(`${where}, feature ${j}: batch ${a[j]} vs single row ${b[j]}`);
  }
}

describe('recipes: one code path for a batch and a single JSON row', () => {
  for (const [file, target] of [
    ['penguins.json', 'Species'],
    ['movies.json', 'IMDB Rating'],
    ['seattle-weather.csv', 'weather'],
  ] as const) {
    for (const family of ['linear', 'tree'] as RecipeFamily[]) {
      it(`${file}, ${family} family: every row of the batch equals the row transformed alone`, async () => {
        const data = await loadData(fixture(file));
        const recipe = fitRecipe(data.table, data.schema, { family, exclude: [target] });
        // Through JSON, as the package stores it.
        const fitted = new FittedRecipe(JSON.parse(JSON.stringify(recipe)));
        const X = fitted.transformTable(data.table);
        expect(X.d).toBe(recipe.features.length);
        for (let i = 0; i < data.table.nRows; i += 7) {
          expectSameFeatures(X.data.subarray(i * X.d, (i + 1) * X.d), fitted.transformRow(jsonRow(data.table, i)), `${file} row ${i}`);
        }
      });
    }
  }

  it('the raw JSON objects of the file give the same features as the table read from it', async () => {
    const rows = JSON.parse(readFileSync(fixture('penguins.json'), 'utf8')) as Record<string, unknown>[];
    const data = await loadData(fixture('penguins.json'));
    const fitted = new FittedRecipe(fitRecipe(data.table, data.schema, { family: 'tree', exclude: ['Species'] }));
    const X = fitted.transformTable(data.table);
    rows.forEach((row, i) => expectSameFeatures(X.data.subarray(i * X.d, (i + 1) * X.d), fitted.transformRow(row), `row ${i}`));
  });
});

describe('default recipes by schema type and family', () => {
  it('linear: one-hot of frequent levels plus other, medians for missing values with an indicator, standardized numbers', async () => {
    const data = await loadData(fixture('penguins.json'));
    const recipe = fitRecipe(data.table, data.schema, { family: 'linear', exclude: ['Species'] });
    const fitted = new FittedRecipe(recipe);
    expect(recipe.features).toContain('Island=Biscoe');
    expect(recipe.features).toContain('Island=(other)');
    expect(recipe.features).toContain('Beak Length (mm).missing');
    const X = fitted.transformTable(data.table);
    const j = recipe.features.indexOf('Beak Length (mm)');
    let mean = 0;
    for (let i = 0; i < X.n; i++) mean += X.data[i * X.d + j]!;
    mean /= X.n;
    let variance = 0;
    for (let i = 0; i < X.n; i++) variance += (X.data[i * X.d + j]! - mean) ** 2;
    expect(mean).toBeCloseTo(0, 10);
    expect(variance / X.n).toBeCloseTo(1, 10);
    for (let i = 0; i < X.n * X.d; i++) expect(Number.isFinite(X.data[i])).toBe(true);
    // An unknown island goes to "other"; a missing beak length is the median, flagged.
    const row = fitted.transformRow({ Island: 'Atlantis', Sex: 'MALE' });
    expect(row[recipe.features.indexOf('Island=(other)')]).toBe(1);
    expect(row[recipe.features.indexOf('Island=Biscoe')]).toBe(0);
    expect(row[recipe.features.indexOf('Beak Length (mm).missing')]).toBe(1);
  });

  it('trees: category codes (declared for native splits), missing values left missing, dates as parts', async () => {
    const data = await loadData(fixture('seattle-weather.csv'));
    const recipe = fitRecipe(data.table, data.schema, { family: 'tree', exclude: ['weather'] });
    expect(recipe.features).toEqual(['date.year', 'date.month', 'date.weekday', 'date.hour', 'date.days', 'precipitation', 'temp_max', 'temp_min', 'wind']);
    const fitted = new FittedRecipe(recipe);
    // 2012-01-02 was a Monday: weekday 0; 15,341 days after 1970-01-01.
    expect(Array.from(fitted.transformRow({ date: '2012-01-02', precipitation: '10.9' }).subarray(0, 6))).toEqual([2012, 1, 0, 0, 15341, 10.9]);
    expect(fitted.transformRow({})[6]).toBeNaN();
    const penguins = await loadData(fixture('penguins.json'));
    const tree = fitRecipe(penguins.table, penguins.schema, { family: 'tree', exclude: ['Species'] });
    // Island has three levels (codes); Sex has two (a 0/1 binary).
    expect(tree.categorical.map((j) => tree.features[j])).toEqual(['Island']);
    const sex = new FittedRecipe(tree).transformRow({ Sex: 'MALE' })[tree.features.indexOf('Sex')];
    const other = new FittedRecipe(tree).transformRow({ Sex: 'FEMALE' })[tree.features.indexOf('Sex')];
    expect([sex, other].sort()).toEqual([0, 1]);
  });

  it('bad values in a JSON row name the field', async () => {
    const data = await loadData(fixture('penguins.json'));
    const fitted = new FittedRecipe(fitRecipe(data.table, data.schema, { family: 'tree', exclude: ['Species'] }));
    expect(() => fitted.transformRow({ 'Beak Length (mm)': 'long' })).toThrow(/field 'Beak Length \(mm\)': expected a number, got 'long'/);
    expect(() => fitted.transformRow({ Island: { name: 'Biscoe' } })).toThrow(/field 'Island': expected a single value, got an object/);
  });

  it('reads each JSON row on its own when one reader goes from row to row (nothing of the last row leaks into the next)', () => {
    const inputs = new JsonInputs(['a', 'b', 'c'], { a: 1, b: 'x', c: 3 });
    expect([inputs.number(0), inputs.label(1), inputs.number(2)]).toEqual([1, 'x', 3]);
    inputs.row = { c: 7, extra: 'ignored' };
    expect([inputs.number(0), inputs.label(1), inputs.number(2)]).toEqual([NaN, null, 7]);
    // A name given twice is read by name for every position.
    const twice = new JsonInputs(['a', 'a'], { a: 5 });
    expect([twice.number(0), twice.number(1)]).toEqual([5, 5]);
    twice.row = {};
    expect(twice.number(1)).toBeNaN();
  });
});

