import type { ColumnSchema } from '../data/schema/schema.js';
import { selectRows, type Column, type Table } from '../data/table.js';
import { rocAuc } from '../evaluate/metrics.js';
import { foldSplit, groupFolds, kFolds } from '../evaluate/splits.js';
import { fitRecipe, FittedRecipe } from '../features/recipe.js';
import { fit, predict } from '../learn/registry.js';
import { groupCodes } from './split.js';

export interface ShiftReport {
  /** Cross-validated AUC of a classifier telling test rows from training rows: 0.5 means no shift. */
  auc: number;
  /** The features it leaned on most (split gain), strongest first. */
  features: string[];
}

/** Rows taken from each side at most, so the check stays cheap on big data. */
const MAX_ROWS = 20_000;

function concat(a: Table, b: Table): Table {
  const columns = a.columns.map((c, j): Column => {
    const d = b.columns[j]!;
    switch (c.kind) {
      case 'numeric':
      case 'datetime': {
        const values = new Float64Array(a.nRows + b.nRows);
        values.set(c.values);
        values.set((d as typeof c).values, a.nRows);
        return { ...c, values };
      }
      case 'text':
        return { ...c, values: [...c.values, ...(d as typeof c).values] };
      case 'categorical': {
        // Codes of the second table re-mapped onto one dictionary.
        const other = d as typeof c;
        const dictionary = [...c.dictionary];
        const index = new Map(dictionary.map((l, i) => [l, i]));
        const remap = other.dictionary.map((l) => {
          let i = index.get(l);
          if (i === undefined) index.set(l, (i = dictionary.push(l) - 1));
          return i;
        });
        const codes = new Int32Array(a.nRows + b.nRows);
        codes.set(c.codes);
        for (let r = 0; r < b.nRows; r++) codes[a.nRows + r] = other.codes[r]! < 0 ? -1 : remap[other.codes[r]!]!;
        return { ...c, codes, dictionary };
      }
    }
  });
  return { nRows: a.nRows + b.nRows, columns };
}

function sample(table: Table, most: number): Table {
  if (table.nRows <= most) return table;
  const step = table.nRows / most;
  return selectRows(table, Int32Array.from({ length: most }, (_, i) => Math.floor(i * step)));
}

/**
 * Train/test covariate shift: a small GBDT learns to tell test rows from training rows (features only,
 * by 3-fold cross-validation). An AUC near 0.5 means the test rows look like the training rows; well
 * above it, the model is being tested on a different population than it learned from.
 */
export async function covariateShift(train: Table, test: Table, schema: readonly ColumnSchema[], target: string, seed: number, group?: string): Promise<ShiftReport | undefined> {
  if (train.columns.some((c, j) => test.columns[j]?.name !== c.name || test.columns[j]?.kind !== c.kind)) return undefined;
  const a = sample(train, MAX_ROWS);
  const b = sample(test, MAX_ROWS);
  // A group holdout puts whole groups on each side: on random folds the classifier would learn each group's
  // own values (an id-like column) and call that a shift. Group folds ask it to tell the sides apart for
  // groups it has not seen.
  const groups = group === undefined ? undefined : groupCodes(concat(a, b), group, target).codes;
  return domainClassifier(a, b, schema, seed, group === undefined ? [target] : [target, group], groups);
}

/**
 * A domain classifier: how well a small GBDT tells rows of `b` from rows of `a` (same columns, in the same
 * order and kinds), as its 3-fold cross-validated AUC (folds keeping `groups` whole when given: a's rows, then b's), with the features it split on most. Training's
 * covariate-shift check and monitoring's multivariate drift (reference rows against live rows) both ask it.
 */
export async function domainClassifier(a: Table, b: Table, schema: readonly ColumnSchema[], seed: number, exclude: readonly string[] = [], groups?: Int32Array): Promise<ShiftReport> {
  const both = concat(a, b);
  const y = Float64Array.from({ length: both.nRows }, (_, i) => (i < a.nRows ? 0 : 1));
  const recipe = fitRecipe(both, schema, { family: 'tree', exclude: [...exclude] });
  const X = new FittedRecipe(recipe).transformTable(both);
  const folds = groups === undefined ? kFolds(y, 3, seed, true) : groupFolds(groups, 3);
  const p = new Float64Array(both.nRows);
  const gain = new Float64Array(X.d);
  for (let f = 0; f < 3; f++) {
    const split = foldSplit(folds, f);
    const pick = (rows: Int32Array) => {
      const data = new Float64Array(rows.length * X.d);
      rows.forEach((i, r) => data.set(X.data.subarray(i * X.d, (i + 1) * X.d), r * X.d));
      return { data, n: rows.length, d: X.d };
    };
    const model = await fit('gbdt', pick(split.train), Float64Array.from(split.train, (i) => y[i]!), 'binary', { n_estimators: 50, num_leaves: 15, categorical_features: recipe.categorical }, { seed });
    const s = predict(model, pick(split.test));
    split.test.forEach((i, r) => (p[i] = s[2 * r + 1]!));
    const g = model.state['splitGain'] as Float64Array;
    for (let j = 0; j < X.d; j++) gain[j] += g[j]!;
  }
  const order = Array.from(gain.keys()).sort((i, j) => gain[j]! - gain[i]!);
  return { auc: rocAuc(y, p), features: order.filter((j) => gain[j]! > 0).slice(0, 3).map((j) => recipe.features[j]!) };
}
