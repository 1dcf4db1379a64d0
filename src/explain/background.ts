import { selectRows, type Column, type Table } from '../data/table.js';
import type { BackgroundRow } from '../pipeline/pipeline.js';
import { cellValue } from './columns.js';

/** Rows kept as the background of interventional explanations. */
export const BACKGROUND_ROWS = 100;

/**
 * Up to BACKGROUND_ROWS rows of `table`, evenly spread, as JSON rows of `columns` (as a request would
 * send them): what a package keeps for interventional explanations, like shap's background data.
 */
export function backgroundRows(table: Table, columns: readonly string[]): BackgroundRow[] {
  const n = Math.min(BACKGROUND_ROWS, table.nRows);
  const sample = selectRows(table, Int32Array.from({ length: n }, (_, i) => Math.floor((i * table.nRows) / n)));
  const kept = columns.map((name) => sample.columns.find((c) => c.name === name)).filter((c): c is Column => c !== undefined);
  return Array.from({ length: n }, (_, i) => Object.fromEntries(kept.map((c) => [c.name, cellValue(c, i)])));
}
